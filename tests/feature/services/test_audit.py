"""Workspace audit logger and the audited sign-in / sign-out flow, on a real database."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from support_app.models import AuditLog, User, UserSession, Workspace, WorkspaceMembership
from support_app.models.clock import utcnow
from support_app.services.audit import METADATA_STRING_MAX, AuditActionId, WorkspaceAuditLogger
from support_app.services.authentication import AuthenticationService, InvalidCredentials
from support_app.services.demo_seed import DEMO_PASSWORD, PLANTED_ACCESS_TOKEN
from support_app.services.redaction import SECRET_KEY_PLACEHOLDER, placeholder

OWNER = "owner@contoso.example"
TTL = 3600


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _workspace_id(session: Session, name: str) -> int:
    return session.exec(select(Workspace.id).where(Workspace.name == name)).one()


def _audit_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditLog)).one()


def _rows(session: Session, action: AuditActionId, user_id: int | None = None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.action == action.value)
    if user_id is not None:
        query = query.where(AuditLog.actor_user_id == user_id)
    return list(session.exec(query.order_by(AuditLog.id)))


# --- the logger ------------------------------------------------------------------------


def test_logger_stores_redacted_bounded_metadata(engine: Engine, session: Session) -> None:
    owner = _user(session, OWNER)
    workspace_id = _workspace_id(session, "Contoso MSP")
    recorded = WorkspaceAuditLogger(session).record(
        AuditActionId.SUPPORT_REQUEST_CREATED,
        workspace_id=workspace_id,
        actor_user_id=owner.id,
        subject_type="support_request",
        subject_id=42,
        metadata={
            "password": "hunter2",
            "client_secret": {"value": "cs-1"},
            "note": "retry failed: client_secret=cs-2; see Bearer abc.def",
            "jwt": PLANTED_ACCESS_TOKEN,
            "contact": OWNER,
            "third_party": "mallory@evil.example",
            "long": "x" * 5000,
            "nested": {"refresh_token": "rt-1", "text": "y" * 1000, "count": 7},
            "items": list(range(200)),
            "flag": True,
            "missing": None,
        },
        allowed_emails=[OWNER],
    )
    session.commit()

    with Session(engine) as fresh:  # read back what the database really holds
        row = fresh.get(AuditLog, recorded.id)
    meta = row.metadata_json
    assert row.action == "support_request.created"
    assert (row.workspace_id, row.actor_user_id, row.tenant_id) == (workspace_id, owner.id, None)
    assert (row.subject_type, row.subject_id) == ("support_request", "42")
    assert row.created_at.tzinfo is not None
    assert meta["password"] == meta["client_secret"] == SECRET_KEY_PLACEHOLDER
    assert meta["nested"]["refresh_token"] == SECRET_KEY_PLACEHOLDER
    assert meta["note"] == (
        f"retry failed: client_secret={SECRET_KEY_PLACEHOLDER};"
        f" see Bearer {placeholder('authorization')}"
    )
    assert meta["jwt"] == placeholder("jwt")
    assert meta["contact"] == OWNER
    assert meta["third_party"] == placeholder("email")
    assert meta["long"] == "x" * METADATA_STRING_MAX
    assert meta["nested"]["text"] == "y" * METADATA_STRING_MAX
    assert meta["nested"]["count"] == 7
    assert meta["items"] == list(range(50))
    assert meta["flag"] is True and meta["missing"] is None
    stored = str(meta)
    for secret in ("hunter2", "cs-1", "cs-2", "abc.def", "rt-1", PLANTED_ACCESS_TOKEN, "mallory"):
        assert secret not in stored


def test_a_secret_beyond_the_length_bound_is_redacted_not_cut(session: Session) -> None:
    row = WorkspaceAuditLogger(session).record(
        AuditActionId.REPORT_GENERATED,
        workspace_id=None,
        actor_user_id=None,
        metadata={"text": "a" * (METADATA_STRING_MAX - 20) + " access_token=tok-" + "9" * 50},
    )
    assert "tok-" not in row.metadata_json["text"]
    assert len(row.metadata_json["text"]) <= METADATA_STRING_MAX


def test_logger_never_commits_by_itself(engine: Engine, session: Session) -> None:
    before = _audit_count(session)
    WorkspaceAuditLogger(session).record(
        AuditActionId.FINDING_OPENED,
        workspace_id=_workspace_id(session, "Contoso MSP"),
        actor_user_id=None,
        metadata={"title": "uncommitted"},
    )
    with Session(engine) as other:
        assert _audit_count(other) == before
    session.rollback()
    assert _audit_count(session) == before
    with Session(engine) as other:
        assert _audit_count(other) == before


# --- sign-in and sign-out --------------------------------------------------------------


def test_sign_in_writes_signed_in_for_each_workspace_of_the_user(session: Session) -> None:
    owner = _user(session, OWNER)
    token, actor = AuthenticationService(session, TTL).sign_in(f"  {OWNER.upper()} ", DEMO_PASSWORD)
    session.commit()

    assert actor.user_id == owner.id and actor.email == OWNER
    rows = _rows(session, AuditActionId.SIGNED_IN, owner.id)
    memberships = session.exec(
        select(WorkspaceMembership.workspace_id).where(WorkspaceMembership.user_id == owner.id)
    ).all()
    assert (
        [r.workspace_id for r in rows]
        == sorted(memberships)
        == [_workspace_id(session, "Contoso MSP")]
    )
    assert rows[0].subject_type == "user" and rows[0].subject_id == str(owner.id)
    stored = str(rows[0].metadata_json)
    assert DEMO_PASSWORD not in stored
    assert token not in stored


def test_wrong_password_audits_a_failure_for_the_real_user(session: Session) -> None:
    owner = _user(session, OWNER)
    sessions_before = session.exec(select(func.count()).select_from(UserSession)).one()
    with pytest.raises(InvalidCredentials):
        AuthenticationService(session, TTL).sign_in(OWNER, DEMO_PASSWORD + "x")
    session.commit()

    assert len(_rows(session, AuditActionId.SIGN_IN_FAILED, owner.id)) == 1
    assert _rows(session, AuditActionId.SIGNED_IN, owner.id) == []
    assert session.exec(select(func.count()).select_from(UserSession)).one() == sessions_before
    assert DEMO_PASSWORD not in str(_rows(session, AuditActionId.SIGN_IN_FAILED)[0].metadata_json)


def test_unknown_email_is_indistinguishable_from_a_wrong_password(session: Session) -> None:
    auth = AuthenticationService(session, TTL)
    with pytest.raises(InvalidCredentials) as wrong_password:
        auth.sign_in(OWNER, "not-the-password")
    session.rollback()
    before = _audit_count(session)
    with pytest.raises(InvalidCredentials) as unknown_email:
        auth.sign_in("nobody@contoso.example", DEMO_PASSWORD)
    with pytest.raises(InvalidCredentials) as empty:
        auth.sign_in("", "")
    session.commit()

    for other in (unknown_email, empty):
        assert type(other.value) is type(wrong_password.value)
        assert str(other.value) == str(wrong_password.value)
        assert other.value.args == wrong_password.value.args
    # Nothing is attributed to a user who does not exist.
    assert _audit_count(session) == before


def test_sign_out_audits_and_invalidates_the_token(session: Session) -> None:
    owner = _user(session, OWNER)
    auth = AuthenticationService(session, TTL)
    token, _ = auth.sign_in(OWNER, DEMO_PASSWORD)
    session.commit()
    assert auth.actor_for_token(token).user_id == owner.id

    auth.sign_out(token)
    session.commit()

    assert auth.actor_for_token(token) is None
    assert len(_rows(session, AuditActionId.SIGNED_OUT, owner.id)) == 1
    assert session.exec(select(UserSession).where(UserSession.user_id == owner.id)).all() == []
    # Signing out again (or with a made-up token) is a no-op, not a second audit row.
    auth.sign_out(token)
    auth.sign_out("made-up-token")
    session.commit()
    assert len(_rows(session, AuditActionId.SIGNED_OUT, owner.id)) == 1


def test_sign_out_ends_only_that_session(session: Session) -> None:
    auth = AuthenticationService(session, TTL)
    first, _ = auth.sign_in(OWNER, DEMO_PASSWORD)
    second, _ = auth.sign_in(OWNER, DEMO_PASSWORD)
    session.commit()
    assert first != second
    auth.sign_out(first)
    session.commit()
    assert auth.actor_for_token(first) is None
    assert auth.actor_for_token(second) is not None


def test_expired_session_resolves_to_no_actor(session: Session) -> None:
    auth = AuthenticationService(session, TTL)
    token, _ = auth.sign_in(OWNER, DEMO_PASSWORD)
    session.commit()
    row = session.exec(select(UserSession).where(UserSession.user_id == _user(session, OWNER).id))
    stored = row.one()
    assert timedelta(seconds=TTL - 60) < stored.expires_at - utcnow() <= timedelta(seconds=TTL)

    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert auth.actor_for_token(token) is None


@pytest.mark.parametrize("token", [None, "", "x" * 129, "not-a-token"])
def test_missing_or_foreign_tokens_resolve_to_no_actor(session: Session, token: str | None) -> None:
    assert AuthenticationService(session, TTL).actor_for_token(token) is None


def test_tokens_are_random_and_stored_only_as_a_hash(session: Session) -> None:
    token, _ = AuthenticationService(session, TTL).sign_in(OWNER, DEMO_PASSWORD)
    session.commit()

    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    dump = " ".join(
        str(value)
        for row in session.execute(text("SELECT * FROM user_sessions")).all()
        for value in row
    )
    assert token not in dump
    stored = session.exec(select(UserSession.token_hash)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_logs SET action = 'auth.signed_out' WHERE id = :id",
        "UPDATE audit_logs SET metadata_json = '{}' WHERE id = :id",
        "DELETE FROM audit_logs WHERE id = :id",
    ],
)
def test_audit_rows_are_append_only_in_the_database(engine: Engine, statement: str) -> None:
    with engine.connect() as conn:
        row_id, action = conn.execute(text("SELECT id, action FROM audit_logs LIMIT 1")).one()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement), {"id": row_id})
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT action FROM audit_logs WHERE id = :id"), {"id": row_id}
            ).scalar_one()
            == action
        )
