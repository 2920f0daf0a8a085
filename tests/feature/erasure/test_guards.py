"""The database's side of erasure (migration 0011), on SQLite and PostgreSQL.

Written with plain SQL, as a script or console would: an erasure is accepted only
as the recorded tombstone or contact erasure, a tombstone is never refilled, an
audit row changes only with a newer record, and the records themselves are
append-only.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from support_app.models.erasure import ERASURE_MARKER as M
from support_app.models.erasure import ErasureReason
from support_app.services.erasure.offboarding import TenantOffboardingService
from support_app.services.erasure.records import begin_erasure, tombstone_envelope
from support_app.services.support_requests.stale_handoffs import finalise_stale_handoffs
from tests.conftest import actor_for
from tests.feature.erasure.conftest import OWNER, raise_request, stored
from tests.feature.support_requests.conftest import pending_request, tenant_id


def _record(engine: Engine, session: Session, reason: ErasureReason, tenant: str | None) -> int:
    """A committed erasure record (with its audit row), changing nothing yet."""
    owner = actor_for(session, OWNER)
    with Session(engine) as s:
        erasure = begin_erasure(
            s,
            workspace_id=1,
            tenant_id=tenant_id(session, tenant) if tenant else None,
            reason=reason,
            actor_user_id=owner.user_id,
        )
        s.commit()
        assert erasure.id is not None
        return erasure.id


def _update(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _tombstone_sql(engine: Engine, ref: str, **changes: object) -> dict[str, object]:
    row = stored(engine, ref)
    values: dict[str, object] = {
        "summary": M,
        "reproduction_notes": None,
        "contact_name": None,
        "contact_email": None,
        "context_envelope": json.dumps(tombstone_envelope(row.context_envelope)),
    }
    values.update(changes)
    return values


def _set(values: dict[str, object]) -> str:
    return ", ".join(f"{c} = :{c}" for c in values)


def test_a_recorded_tombstone_is_accepted(engine: Engine, session: Session) -> None:
    reference = raise_request(engine, session)
    erasure = _record(engine, session, ErasureReason.OFFBOARDING, "Fabrikam")
    values = _tombstone_sql(engine, reference, erasure_id=erasure)
    _update(
        engine,
        f"UPDATE support_requests SET {_set(values)} WHERE reference = :r",
        r=reference,
        **values,
    )
    assert stored(engine, reference).erasure_id == erasure


@pytest.mark.parametrize(
    "case",
    [
        "no_record",
        "record_of_other_tenant",
        "erasure_request_record",
        "notes_left",
        "contact_left",
        "summary_kept",
        "envelope_values_left",
        "envelope_extra_key",
        "reference_changed",
        "severity_changed",
    ],
)
def test_every_other_erasure_is_refused(engine: Engine, session: Session, case: str) -> None:
    reference = raise_request(engine, session)
    reason = (
        ErasureReason.ERASURE_REQUEST
        if case == "erasure_request_record"
        else ErasureReason.OFFBOARDING
    )
    tenant = "Northwind" if case == "record_of_other_tenant" else "Fabrikam"
    erasure = _record(engine, session, reason, None if case == "erasure_request_record" else tenant)
    row = stored(engine, reference)
    changes: dict[str, object] = {"erasure_id": 999 if case == "no_record" else erasure}
    envelope = tombstone_envelope(row.context_envelope)
    if case == "notes_left":
        changes["reproduction_notes"] = row.reproduction_notes
    elif case == "contact_left":
        changes["contact_email"] = row.contact_email
    elif case == "summary_kept":
        changes["summary"] = row.summary
    elif case == "envelope_values_left":
        changes["context_envelope"] = json.dumps(
            {**envelope, "attachment": row.context_envelope["attachment"]}
        )
    elif case == "envelope_extra_key":
        changes["context_envelope"] = json.dumps(
            {**envelope, "references": row.context_envelope["references"]}
        )
    elif case == "reference_changed":
        changes["reference"] = "SR-00000000000000000000000000"[:29]
    elif case == "severity_changed":
        changes["severity"] = "low"
    values = _tombstone_sql(engine, reference, **changes)
    with pytest.raises(DBAPIError, match="immutable"):
        _update(
            engine,
            f"UPDATE support_requests SET {_set(values)} WHERE reference = :r",
            r=reference,
            **values,
        )
    assert stored(engine, reference).erasure_id is None
    assert stored(engine, reference).summary == row.summary


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE support_requests SET summary = 'Backups fail again' WHERE reference = :r",
        "UPDATE support_requests SET contact_email = 'x@example.com' WHERE reference = :r",
        "UPDATE support_requests SET reproduction_notes = 'back' WHERE reference = :r",
        "UPDATE support_requests SET erasure_id = NULL WHERE reference = :r",
        "UPDATE support_requests SET summary = '[redacted:manual]', redaction_count = 1"
        " WHERE reference = :r",
        "DELETE FROM support_requests WHERE reference = :r",
    ],
)
def test_a_tombstone_is_never_refilled(engine: Engine, session: Session, sql: str) -> None:
    reference = raise_request(engine, session)
    TenantOffboardingService(engine).offboard(
        actor_for(session, OWNER), tenant_id(session, "Fabrikam"), "Fabrikam"
    )
    before = stored(engine, reference)
    with pytest.raises(DBAPIError, match="immutable"):
        _update(engine, sql, r=reference)
    after = stored(engine, reference)
    assert (after.summary, after.erasure_id, after.contact_email) == (M, before.erasure_id, None)


def test_a_second_erasure_cannot_rewrite_a_tombstone(engine: Engine, session: Session) -> None:
    reference = raise_request(engine, session)
    TenantOffboardingService(engine).offboard(
        actor_for(session, OWNER), tenant_id(session, "Fabrikam"), "Fabrikam"
    )
    second = _record(engine, session, ErasureReason.OFFBOARDING, "Fabrikam")
    with pytest.raises(DBAPIError, match="immutable"):
        _update(
            engine,
            "UPDATE support_requests SET erasure_id = :e WHERE reference = :r",
            e=second,
            r=reference,
        )


def test_contact_erasure_changes_only_the_contact(engine: Engine, session: Session) -> None:
    reference = raise_request(engine, session)
    request_record = _record(engine, session, ErasureReason.ERASURE_REQUEST, None)
    offboarding = _record(engine, session, ErasureReason.OFFBOARDING, "Fabrikam")
    sql = (
        "UPDATE support_requests SET contact_name = NULL, contact_email = NULL,"
        " contact_erasure_id = :e{extra} WHERE reference = :r"
    )
    with pytest.raises(DBAPIError, match="immutable"):  # not a person's erasure
        _update(engine, sql.format(extra=""), e=offboarding, r=reference)
    with pytest.raises(DBAPIError, match="immutable"):  # the summary too
        _update(engine, sql.format(extra=", summary = 'x'"), e=request_record, r=reference)
    _update(engine, sql.format(extra=""), e=request_record, r=reference)
    row = stored(engine, reference)
    assert (row.contact_name, row.contact_email, row.contact_erasure_id) == (
        None,
        None,
        request_record,
    )
    assert row.summary.startswith("Backups fail")


def test_erasure_columns_are_empty_at_insert(engine: Engine, session: Session) -> None:
    reference = raise_request(engine, session)
    erasure = _record(engine, session, ErasureReason.OFFBOARDING, "Fabrikam")
    columns = (
        "workspace_id, tenant_id, reference, primary_context_type, severity, summary,"
        " created_by_user_id, attachment_mode, context_envelope, created_at,"
        " external_handoff_mode, redaction_count"
    )
    copied = columns.replace("reference", ":new")
    with pytest.raises(DBAPIError, match="created without an erasure"):
        _update(
            engine,
            f"INSERT INTO support_requests ({columns}, erasure_id) SELECT {copied}, :e"
            " FROM support_requests WHERE reference = :r",
            new="SR-01JZZZZZZZZZZZZZZZZZZZZZZZ",
            e=erasure,
            r=reference,
        )
    with pytest.raises(DBAPIError, match="created without an erasure"):
        _update(
            engine,
            "INSERT INTO audit_logs (action, metadata_json, created_at, erasure_id)"
            " VALUES ('x', '{}', CURRENT_TIMESTAMP, :e)",
            e=erasure,
        )


@pytest.mark.parametrize(
    "sql",
    [
        # no newer record
        "UPDATE audit_logs SET metadata_json = '{}' WHERE id = :a",
        # the action is kept
        "UPDATE audit_logs SET action = 'x', erasure_id = :e WHERE id = :a",
        "UPDATE audit_logs SET created_at = CURRENT_TIMESTAMP, erasure_id = :e WHERE id = :a",
        # a record that does not exist
        "UPDATE audit_logs SET metadata_json = '{}', erasure_id = :e + 100 WHERE id = :a",
        "DELETE FROM audit_logs WHERE id = :a",
    ],
)
def test_audit_rows_change_only_with_a_newer_record(
    engine: Engine, session: Session, sql: str
) -> None:
    raise_request(engine, session)
    erasure = _record(engine, session, ErasureReason.RETENTION, None)
    audit_id = session.exec(text("SELECT min(id) FROM audit_logs WHERE workspace_id = 1")).one()[0]
    with pytest.raises(DBAPIError, match="append-only"):
        _update(engine, sql, a=audit_id, e=erasure)
    _update(
        engine,
        "UPDATE audit_logs SET metadata_json = '{}', actor_user_id = NULL, erasure_id = :e"
        " WHERE id = :a",
        a=audit_id,
        e=erasure,
    )
    with pytest.raises(DBAPIError, match="append-only"):  # the same record again
        _update(
            engine,
            "UPDATE audit_logs SET metadata_json = '{\"a\": 1}', erasure_id = :e WHERE id = :a",
            a=audit_id,
            e=erasure,
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE erasures SET note = 'x'",
        "DELETE FROM erasures",
        # a record without its own data.erased audit row
        "INSERT INTO erasures (workspace_id, reason, policy, note, erased_at, audit_log_id)"
        " SELECT 1, 'retention', 'p', '', CURRENT_TIMESTAMP, min(id) FROM audit_logs",
    ],
)
def test_erasure_records_are_append_only(engine: Engine, session: Session, sql: str) -> None:
    _record(engine, session, ErasureReason.RETENTION, None)
    with pytest.raises(DBAPIError, match="erasures rows"):
        _update(engine, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE users SET email = 'taken.over@example.com' WHERE id = 1",
        "UPDATE users SET password_hash = 'x' WHERE id = 1",
        "UPDATE users SET display_name = 'Someone' WHERE id = 1",
        # the pseudonym of a record that does not exist (or is not a person's erasure)
        "UPDATE users SET display_name = 'former user #' || :e, password_hash = '!erased',"
        " email = 'former-user-' || :e || '@erased.invalid' WHERE id = 1",
    ],
)
def test_an_account_changes_only_to_an_erasure_pseudonym(
    engine: Engine, session: Session, sql: str
) -> None:
    retention = _record(engine, session, ErasureReason.RETENTION, None)
    with pytest.raises(DBAPIError, match="erasure pseudonym"):
        _update(engine, sql, e=retention)
    _update(engine, "UPDATE users SET preferred_locale = 'de' WHERE id = 1")


def test_a_pending_handoff_still_gets_its_one_outcome_on_a_tombstone(
    engine: Engine, session: Session
) -> None:
    """Offboarding may meet a create still waiting for the desk: the tombstone keeps
    the handoff's one finalisation (outcome columns only), so no sweep fails on it."""
    pending = pending_request(engine, session)
    TenantOffboardingService(engine).offboard(
        actor_for(session, OWNER), tenant_id(session, "Fabrikam"), "Fabrikam"
    )
    assert stored(engine, pending.reference).summary == M
    finalised = finalise_stale_handoffs(engine, older_than=timedelta(0))
    assert finalised == [pending.reference]
    row = stored(engine, pending.reference)
    assert (row.summary, row.external_handoff_failure_kind) == (M, "app_stopped")


def test_sqlite_leaves_no_erased_text_in_the_file(sqlite_engine: Engine) -> None:
    """``secure_delete=FAST``: once the WAL is checkpointed, the erased contact is
    nowhere in the database file (without it, both texts stay readable there)."""
    with Session(sqlite_engine) as session:
        raise_request(
            sqlite_engine, session, contact_email="zz9q@probe.example", contact_name="Zorro Q"
        )
        TenantOffboardingService(sqlite_engine).offboard(
            actor_for(session, OWNER), tenant_id(session, "Fabrikam"), "Fabrikam"
        )
    with sqlite_engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(sqlite_engine.url.database or "")
    content = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"zz9q" not in content and b"Zorro Q" not in content
