"""A person's rights: the export has their data and no one else's; the erasure clears
their contact fields, pseudonymises their name and address, ends their account's part
here; both audited without the address (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, User, UserSession, WorkspaceMembership
from support_app.models.clock import utcnow
from support_app.services.access import Forbidden, NotFound
from support_app.services.erasure.person import (
    INVALID_EMAIL,
    NOT_YOURSELF,
    PersonalDataService,
    PersonRequestRefused,
    subject_hash,
)
from support_app.services.passwords import verify_password
from tests.conftest import actor_for
from tests.feature.erasure.conftest import CONTACT, OWNER, erasures, raise_request, stored

KEY = b"test-key"
OTHER = "someone.else@northwind.example"
READONLY = "readonly@contoso.example"


def _service(engine: Engine) -> PersonalDataService:
    return PersonalDataService(engine, KEY)


def test_the_export_has_the_persons_data_and_no_one_elses(engine: Engine, session: Session) -> None:
    theirs = raise_request(engine, session)
    others = raise_request(engine, session, contact_email=OTHER, contact_name="Sam Else")
    created_by_operator_for_other = raise_request(
        engine,
        session,
        "Northwind",
        contact_email=OTHER,
        contact_name="Sam Else",
        creator="operator@contoso.example",
    )
    owner = actor_for(session, OWNER)

    data = _service(engine).export(owner, 1, CONTACT.upper())

    assert data["user"] is None
    assert [r["reference"] for r in data["requests"]] == [theirs]
    assert data["requests"][0]["contact"] == {"name": "Jana Kontakt", "email": CONTACT}
    text = json.dumps(data)
    assert OTHER not in text and "Sam Else" not in text
    assert others not in text and created_by_operator_for_other not in text
    exported = session.exec(
        select(AuditLog).where(AuditLog.action == "data.personal_data_exported")
    ).one()
    assert exported.metadata_json["subject_hash"] == subject_hash(KEY, CONTACT.lower())
    assert CONTACT.lower() not in json.dumps(exported.metadata_json).lower()


def test_a_users_export_shows_their_requests_without_other_contacts(
    engine: Engine, session: Session
) -> None:
    mine = raise_request(
        engine,
        session,
        contact_email=OTHER,
        contact_name="Sam Else",
        creator="operator@contoso.example",
    )
    data = _service(engine).export(actor_for(session, OWNER), 1, "operator@contoso.example")
    assert data["user"]["display_name"] == "Oscar Operator"
    (request,) = data["requests"]
    assert (request["reference"], request["created_by_you"]) == (mine, True)
    assert "contact" not in request and OTHER not in json.dumps(data)
    assert {row["as"] for row in data["audit_rows"]} == {"actor"}


def test_erasure_clears_the_contact_and_pseudonymises_details(
    engine: Engine, session: Session
) -> None:
    theirs = raise_request(engine, session)
    at_the_desk = raise_request(engine, session, ticket="#88")
    others = raise_request(engine, session, contact_email=OTHER, contact_name="Sam Else")
    with Session(engine) as s:  # an audit row naming them in its details
        s.add(AuditLog(workspace_id=1, action="x.named", metadata_json={"note": f"mail {CONTACT}"}))
        s.commit()
    owner = actor_for(session, OWNER)
    summary = stored(engine, theirs).summary

    result = _service(engine).erase(owner, 1, CONTACT, note="Ticket 42: Art. 17 request")

    (record,) = erasures(engine)
    assert result.pseudonym == f"former user #{record.id}"
    assert (record.reason, record.erased_by_user_id, record.note) == (
        "erasure_request",
        owner.user_id,
        "Ticket 42: Art. 17 request",
    )
    row = stored(engine, theirs)
    assert (row.contact_name, row.contact_email, row.contact_erasure_id) == (None, None, record.id)
    assert result.requests_cleared == 2
    assert [(t.reference, t.ticket_reference) for t in result.desk_tickets] == [
        (at_the_desk, "#88")
    ]
    assert row.summary == summary  # the record's text stays
    assert stored(engine, others).contact_email == OTHER
    session.expire_all()
    named = session.exec(select(AuditLog).where(AuditLog.action == "x.named")).one()
    assert named.metadata_json == {"note": f"mail {result.pseudonym}"}
    audit = session.get_one(AuditLog, record.audit_log_id)
    assert audit.action == "data.erased"
    assert CONTACT.lower() not in json.dumps(audit.metadata_json).lower()
    assert _service(engine).export(owner, 1, CONTACT)["requests"] == []


def test_an_account_only_here_is_pseudonymised_and_signed_out(
    engine: Engine, session: Session
) -> None:
    reader = actor_for(session, READONLY)
    with Session(engine) as s:
        s.add(
            UserSession(
                token_hash="a" * 64,
                user_id=reader.user_id,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        s.commit()
    result = _service(engine).erase(actor_for(session, OWNER), 1, READONLY)
    session.expire_all()
    user = session.get_one(User, reader.user_id)
    assert (user.display_name, result.sessions_ended, result.account_pseudonymised) == (
        result.pseudonym,
        1,
        True,
    )
    assert user.email.endswith("@erased.invalid")
    assert not verify_password(user.password_hash, "demo-Passw0rd!")
    assert (
        session.exec(select(UserSession).where(UserSession.user_id == reader.user_id)).all() == []
    )
    assert (
        session.exec(
            select(WorkspaceMembership).where(WorkspaceMembership.user_id == reader.user_id)
        ).all()
        == []
    )
    # The audit rows naming them by address or name now carry the pseudonym.
    text = json.dumps([a.metadata_json for a in session.exec(select(AuditLog))])
    assert READONLY not in text and "Rita Readonly" not in text


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("operator@contoso.example", Forbidden),
        (READONLY, Forbidden),
        ("outsider@litware.example", NotFound),
    ],
)
def test_only_the_workspace_owner_may_export_or_erase(
    engine: Engine, session: Session, email: str, error: type[Exception]
) -> None:
    reference = raise_request(engine, session)
    actor = actor_for(session, email)
    with pytest.raises(error):
        _service(engine).export(actor, 1, CONTACT)
    with pytest.raises(error):
        _service(engine).erase(actor, 1, CONTACT)
    assert stored(engine, reference).contact_email == CONTACT
    assert erasures(engine) == []


@pytest.mark.parametrize(
    ("email", "key"),
    [("not-an-address", INVALID_EMAIL), (OWNER, NOT_YOURSELF), (None, INVALID_EMAIL)],
)
def test_bad_input_is_refused_before_anything_is_written(
    engine: Engine, session: Session, email: object, key: str
) -> None:
    with pytest.raises(PersonRequestRefused) as refused:
        _service(engine).erase(actor_for(session, OWNER), 1, email)
    assert refused.value.key == key
    assert erasures(engine) == []
