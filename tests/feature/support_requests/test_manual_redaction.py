"""Manual redaction: the service (owner only, every occurrence, record and audit row,
never the text) and the database guards of migration 0010, on SQLite and PostgreSQL.

The guard tests write with plain SQL, as a script or console would: a change that
is not a recorded placeholder substitution is refused whatever path it takes.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import Update, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, func, select

from support_app.models import AuditLog, SupportRequest, SupportRequestRedaction
from support_app.models.support_request import MANUAL_REDACTION_PLACEHOLDER as P
from support_app.services.access import Forbidden, NotFound
from support_app.services.support_desk.contract import HandoffOutcome
from support_app.services.support_requests import manual_redaction
from support_app.services.support_requests.finalisation import finalise_handoff
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.history import SupportRequestHistoryService
from support_app.services.support_requests.manual_redaction import (
    NOT_FOUND_IN_REQUEST,
    PLACEHOLDER_INSIDE,
    TOO_SHORT,
    WOULD_OVERFLOW,
    RedactionNotApplied,
    RedactionOutcomeUnknown,
    RedactionRefused,
    SupportRequestRedactionService,
)
from support_app.services.support_requests.scope import SupportContext
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import counts, pending_request, submit, tenant_id

KEY = b"test-redaction-key"
SECRET = "zq-SECRET-77"
OWNER = "owner@contoso.example"


def _service(engine: Engine) -> SupportRequestRedactionService:
    return SupportRequestRedactionService(engine, KEY)


def _leaky_request(engine: Engine, session: Session) -> str:
    """A Fabrikam request whose summary and notes carry a secret the scanner missed."""
    form = SupportRequestForm(
        severity="high",
        summary=f"Backups fail, pasted {SECRET} by mistake",
        reproduction_notes=f"Ran it with {SECRET} twice: {SECRET}",
    )
    owner = actor_for(session, OWNER)
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    return submit(engine, owner, context, form).reference


def _stored(engine: Engine, reference: str) -> SupportRequest:
    with Session(engine) as s:
        return s.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def _everything_stored(engine: Engine) -> str:
    """Every text of the tables a redaction touches, as one string."""
    with engine.connect() as conn:
        parts = []
        for table in ("support_requests", "audit_logs", "support_request_redactions"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_the_owner_removes_every_occurrence_with_record_and_audit_row(
    engine: Engine, session: Session
) -> None:
    reference = _leaky_request(engine, session)
    owner = actor_for(session, OWNER)
    result = _service(engine).redact(owner, reference, SECRET)
    assert result.fields == ("summary", "reproduction_notes")
    assert result.occurrences == 3
    stored = _stored(engine, reference)
    assert stored.summary == f"Backups fail, pasted {P} by mistake"
    assert stored.reproduction_notes == f"Ran it with {P} twice: {P}"
    assert stored.redaction_count == 1
    assert SECRET not in _everything_stored(engine)

    # A second redaction reaches the envelope too (the tenant's name is in it).
    second = _service(engine).redact(owner, reference, "Fabrikam")
    assert "context_envelope" in second.fields
    stored = _stored(engine, reference)
    assert "Fabrikam" not in str(stored.context_envelope)
    assert stored.context_envelope["primary_context"]["tenant_id"] == tenant_id(session, "Fabrikam")
    assert stored.redaction_count == 2

    session.expire_all()
    records = session.exec(
        select(SupportRequestRedaction).order_by(SupportRequestRedaction.sequence)
    ).all()
    assert [r.sequence for r in records] == [1, 2]
    assert records[0].fields == "summary,reproduction_notes"
    assert (
        records[0].removed_text_hash == hmac.new(KEY, SECRET.encode(), hashlib.sha256).hexdigest()
    )
    assert records[0].redacted_by_user_id == owner.user_id
    audit = session.get_one(AuditLog, records[0].audit_log_id)
    assert (audit.action, audit.subject_id, audit.actor_user_id) == (
        "support_request.redacted",
        reference,
        owner.user_id,
    )
    assert audit.metadata_json["fields"] == ["summary", "reproduction_notes"]
    trail = SupportRequestHistoryService(session).detail(owner, reference).audit_trail
    assert [e.action for e in trail] == [
        "support_request.created",
        "support_request.redacted",
        "support_request.redacted",
    ]


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("operator@contoso.example", Forbidden),
        ("readonly@contoso.example", Forbidden),
        ("outsider@litware.example", NotFound),
    ],
)
def test_only_the_owner_may_redact(
    engine: Engine, session: Session, email: str, error: type[Exception]
) -> None:
    reference = _leaky_request(engine, session)
    before = counts(session)
    with pytest.raises(error):
        _service(engine).redact(actor_for(session, email), reference, SECRET)
    assert counts(session) == before
    assert SECRET in _stored(engine, reference).summary


@pytest.mark.parametrize(
    ("removed", "key"),
    [
        ("abc", TOO_SHORT),
        ("    ", TOO_SHORT),
        (None, TOO_SHORT),
        (["zq-SECRET-77"], TOO_SHORT),
        ("not in this request", NOT_FOUND_IN_REQUEST),
        (f"x {P}", PLACEHOLDER_INSIDE),
        ("fail", WOULD_OVERFLOW),  # "fail" is short; the summary is not, then
    ],
)
def test_a_text_that_cannot_be_removed_changes_nothing(
    engine: Engine, session: Session, removed: object, key: str
) -> None:
    owner = actor_for(session, OWNER)
    form = SupportRequestForm(severity="low", summary="fail " * 39 + "fail")
    if key != WOULD_OVERFLOW:
        reference = _leaky_request(engine, session)
    else:
        context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
        reference = submit(engine, owner, context, form).reference
    before = counts(session)
    with pytest.raises(RedactionRefused) as refused:
        _service(engine).redact(owner, reference, removed)
    assert refused.value.key == key
    assert counts(session) == before
    assert _stored(engine, reference).redaction_count == 0


def test_unknown_references_are_not_found(engine: Engine, session: Session) -> None:
    owner = actor_for(session, OWNER)
    for reference in ("SR-01HZZZZZZZZZZZZZZZZZZZZZZZ", "1", None, "sr-x"):
        with pytest.raises(NotFound):
            _service(engine).redact(owner, reference, SECRET)


# -- the database failing -----------------------------------------------------------


def _database_gone() -> OperationalError:
    return OperationalError("UPDATE …", {}, ConnectionError("server closed the connection"))


def test_a_database_failure_before_the_commit_changed_nothing(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit row and the record are already flushed when the UPDATE fails: they
    go with the transaction, so the page may say "nothing was removed"."""
    reference = _leaky_request(engine, session)
    before = counts(session)
    execute = manual_redaction.Session.execute

    def lost_at_the_update(self, statement, *args, **kwargs):
        if isinstance(statement, Update):
            raise _database_gone()
        return execute(self, statement, *args, **kwargs)

    monkeypatch.setattr(manual_redaction.Session, "execute", lost_at_the_update)
    with pytest.raises(RedactionNotApplied):
        _service(engine).redact(actor_for(session, OWNER), reference, SECRET)
    monkeypatch.undo()
    assert counts(session) == before
    stored = _stored(engine, reference)
    assert (stored.redaction_count, SECRET in stored.summary) == (0, True)
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(SupportRequestRedaction)).one() == 0


@pytest.mark.parametrize("committed", [False, True], ids=["lost", "committed-then-lost"])
def test_a_failing_commit_is_reported_as_unknown(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, committed: bool
) -> None:
    """The commit's answer is lost either way: the service cannot tell the two apart,
    so neither is reported as done or as not done."""
    reference = _leaky_request(engine, session)
    commit = manual_redaction.Session.commit

    def answer_lost(self) -> None:
        commit(self) if committed else self.rollback()
        raise _database_gone()

    monkeypatch.setattr(manual_redaction.Session, "commit", answer_lost)
    with pytest.raises(RedactionOutcomeUnknown):
        _service(engine).redact(actor_for(session, OWNER), reference, SECRET)
    monkeypatch.undo()
    assert _stored(engine, reference).redaction_count == (1 if committed else 0)


# -- the database guards ---------------------------------------------------------


def _audit_row(conn: Connection, request: SupportRequest, actor_id: int) -> int:
    conn.execute(
        text(
            "INSERT INTO audit_logs (workspace_id, tenant_id, actor_user_id, action,"
            " subject_type, subject_id, metadata_json, created_at)"
            " VALUES (:w, :t, :a, 'support_request.redacted', 'support_request', :r, '{}',"
            " CURRENT_TIMESTAMP)"
        ),
        {"w": request.workspace_id, "t": request.tenant_id, "a": actor_id, "r": request.reference},
    )
    return conn.execute(text("SELECT max(id) FROM audit_logs")).scalar_one()


def _record(
    conn: Connection,
    request: SupportRequest,
    actor_id: int,
    audit_id: int,
    fields: str = "summary",
    sequence: int | None = None,
) -> None:
    conn.execute(
        text(
            "INSERT INTO support_request_redactions (support_request_id, sequence,"
            " workspace_id, tenant_id, redacted_by_user_id, redacted_at, fields, occurrences,"
            " removed_text_hash, audit_log_id)"
            " VALUES (:id, :seq, :w, :t, :a, CURRENT_TIMESTAMP, :f, 1, 'h', :audit)"
        ),
        {
            "id": request.id,
            "seq": request.redaction_count + 1 if sequence is None else sequence,
            "w": request.workspace_id,
            "t": request.tenant_id,
            "a": actor_id,
            "f": fields,
            "audit": audit_id,
        },
    )


def _redacted_summary(request: SupportRequest) -> str:
    return request.summary.replace(SECRET, P)


def _try(engine: Engine, reference: str, update: str, values: dict, *, record: str | None):
    """Run ``update`` (with a proper audit row and record naming ``record`` fields
    first, unless None) in one transaction."""
    request = _stored(engine, reference)
    with engine.begin() as conn:
        actor_id = request.created_by_user_id
        if record is not None:
            _record(conn, request, actor_id, _audit_row(conn, request, actor_id), record)
        conn.execute(text(update), {"id": request.id, **values})


BUMP = "redaction_count = redaction_count + 1"


def test_a_plain_sql_redaction_with_record_and_audit_row_is_accepted(
    engine: Engine, session: Session
) -> None:
    # The baseline for the refusals below.
    reference = _leaky_request(engine, session)
    redacted = _redacted_summary(_stored(engine, reference))
    _try(
        engine,
        reference,
        f"UPDATE support_requests SET summary = :s, {BUMP} WHERE id = :id",
        {"s": redacted},
        record="summary",
    )
    assert _stored(engine, reference).summary == redacted


@pytest.mark.parametrize(
    ("case", "update", "values", "record"),
    [
        (
            "no record",
            f"UPDATE support_requests SET summary = :s, {BUMP} WHERE id = :id",
            {},
            None,
        ),
        ("count kept", "UPDATE support_requests SET summary = :s WHERE id = :id", {}, "summary"),
        (
            "field not in the record",
            f"UPDATE support_requests SET summary = :s, {BUMP} WHERE id = :id",
            {},
            "reproduction_notes",
        ),
        (
            "record names a field left unchanged",
            f"UPDATE support_requests SET summary = :s, {BUMP} WHERE id = :id",
            {},
            "summary,reproduction_notes",
        ),
        (
            "rewritten, not substituted",
            f"UPDATE support_requests SET summary = 'All good now', {BUMP} WHERE id = :id",
            {},
            "summary",
        ),
        (
            "placeholder added, text changed before it",
            f"UPDATE support_requests SET summary = :s, {BUMP} WHERE id = :id",
            {"s": f"Nothing fails, pasted {P} by mistake"},
            "summary",
        ),
        (
            "placeholder appended, nothing removed",
            f"UPDATE support_requests SET summary = summary || '{P}', {BUMP} WHERE id = :id",
            {},
            "summary",
        ),
    ]
    + [
        (
            f"{column} changed with it",
            f"UPDATE support_requests SET summary = :s, {column} = {value}, {BUMP} WHERE id = :id",
            {},
            "summary",
        )
        for column, value in (
            ("reference", "'SR-01HZZZZZZZZZZZZZZZZZZZZZZZ'"),
            ("tenant_id", "tenant_id + 1"),
            ("created_by_user_id", "created_by_user_id + 1"),
            ("severity", "'low'"),
            ("contact_email", "'x@example.com'"),
            ("external_handoff_mode", "'link_existing_ticket'"),
            ("external_ticket_reference", "'#1'"),
        )
    ],
)
def test_every_other_change_is_refused(
    engine: Engine, session: Session, case: str, update: str, values: dict, record: str | None
) -> None:
    reference = _leaky_request(engine, session)
    before = _stored(engine, reference)
    values = {"s": _redacted_summary(before), **values} if ":s" in update else values
    with pytest.raises(DBAPIError, match="immutable"):
        _try(engine, reference, update, values, record=record)
    after = _stored(engine, reference)
    assert (after.summary, after.redaction_count) == (before.summary, 0)


@pytest.mark.parametrize(
    "envelope_change",
    ["primary_context", "attachment_mode"],
)
def test_the_envelope_identity_cannot_change(
    engine: Engine, session: Session, envelope_change: str
) -> None:
    reference = _leaky_request(engine, session)
    request = _stored(engine, reference)
    envelope = dict(request.context_envelope)
    if envelope_change == "primary_context":
        # "tenant" → placeholder: a "substitution", but of the identity
        envelope["primary_context"] = {**envelope["primary_context"], "type": P}
    else:
        envelope["attachment"] = {**envelope["attachment"], "mode": P}
    with pytest.raises(DBAPIError, match="immutable"), Session(engine) as s:
        stored = s.get_one(SupportRequest, request.id)
        audit_id = _audit_via_orm(s, stored)
        s.add(_orm_record(stored, audit_id, "context_envelope"))
        s.flush()
        stored.context_envelope = envelope
        stored.redaction_count += 1
        s.commit()


def _audit_via_orm(s: Session, request: SupportRequest) -> int:
    row = AuditLog(
        workspace_id=request.workspace_id,
        tenant_id=request.tenant_id,
        actor_user_id=request.created_by_user_id,
        action="support_request.redacted",
        subject_type="support_request",
        subject_id=request.reference,
    )
    s.add(row)
    s.flush()
    return row.id


def _orm_record(request: SupportRequest, audit_id: int, fields: str) -> SupportRequestRedaction:
    return SupportRequestRedaction(
        support_request_id=request.id,
        sequence=request.redaction_count + 1,
        workspace_id=request.workspace_id,
        tenant_id=request.tenant_id,
        redacted_by_user_id=request.created_by_user_id,
        fields=fields,
        occurrences=1,
        removed_text_hash="h",
        audit_log_id=audit_id,
    )


def test_a_record_needs_its_audit_row_and_the_next_sequence(
    engine: Engine, session: Session
) -> None:
    reference = _leaky_request(engine, session)
    request = _stored(engine, reference)
    actor_id = request.created_by_user_id
    other_audit = session.exec(select(func.min(AuditLog.id))).one()  # not a redaction row
    for audit, sequence in ((other_audit, None), ("own", 2), ("own", 0)):
        with pytest.raises(DBAPIError, match="next sequence"), engine.begin() as conn:
            audit_id = _audit_row(conn, request, actor_id) if audit == "own" else audit
            _record(conn, request, actor_id, audit_id, sequence=sequence)
    assert session.exec(select(func.count()).select_from(SupportRequestRedaction)).one() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE support_request_redactions SET fields = 'summary,reproduction_notes'",
        "UPDATE support_request_redactions SET removed_text_hash = 'other'",
        "DELETE FROM support_request_redactions",
    ],
)
def test_redaction_records_are_append_only(
    engine: Engine, session: Session, statement: str
) -> None:
    reference = _leaky_request(engine, session)
    _service(engine).redact(actor_for(session, OWNER), reference, SECRET)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert session.exec(select(func.count()).select_from(SupportRequestRedaction)).one() == 1


def test_a_request_cannot_be_born_redacted(engine: Engine, session: Session) -> None:
    reference = _leaky_request(engine, session)
    with Session(engine) as s:
        source = s.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()
        data = source.model_dump(exclude={"id", "reference"})
    with pytest.raises(DBAPIError, match="created without a redaction"), Session(engine) as s:
        s.add(SupportRequest(**{**data, "redaction_count": 1}, reference="SR-" + "0" * 26))
        s.commit()


def test_the_handoff_can_still_be_finalised_after_a_redaction(
    engine: Engine, session: Session
) -> None:
    pending = pending_request(engine, session)
    owner = actor_for(session, OWNER)
    _service(engine).redact(owner, pending.reference, "Backups")
    with Session(engine) as s:
        finalise_handoff(s, pending, HandoffOutcome(external_reference="#9"), owner.user_id)
        s.commit()
    stored = _stored(engine, pending.reference)
    assert (stored.external_ticket_reference, stored.redaction_count) == ("#9", 1)
    assert stored.summary.startswith(P)
