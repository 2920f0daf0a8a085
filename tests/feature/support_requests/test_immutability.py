"""Immutability without holes: INSERT, REPLACE, upsert and TRUNCATE (migration 0005).

The UPDATE and DELETE guards (0002-0004) left ways round them, each shown here on
the database that has it:

* any database: a support request INSERTed with its handoff outcome already set
  (a forged "created" or "failed" that no finalisation wrote);
* SQLite: ``INSERT OR REPLACE`` / ``REPLACE INTO`` deletes the existing row
  without firing DELETE triggers, so it silently rewrote a request or audit row;
* PostgreSQL: ``TRUNCATE`` fires no row triggers.

An upsert (``ON CONFLICT DO UPDATE``) meets the UPDATE guards on both databases;
it is refused by the INSERT guard first, so both refuse the same statements.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, func, select

from support_app.models import AuditLog, SupportRequest
from support_app.models.support_request import HANDOFF_OUTCOME_COLUMNS
from support_app.services.support_requests.reference import SupportRequestReference
from tests.feature.support_requests.conftest import pending_request

REQUEST_COLUMNS = [c.name for c in SQLModel.metadata.tables["support_requests"].columns]
AUDIT_COLUMNS = [c.name for c in SQLModel.metadata.tables["audit_logs"].columns]

OUTCOME_VALUES = {
    "external_ticket_reference": "#1",
    "external_ticket_url": "https://desk.example/agent/tickets/1",
    "external_handoff_failure_summary": "forged",
    "external_handoff_failure_kind": "timeout",
    "external_handoff_failure_params": {"seconds": 5},
}


def _copy_of(engine: Engine, request_id: int, **changes: object) -> SupportRequest:
    with Session(engine) as s:
        source = s.get_one(SupportRequest, request_id)
        copied = source.model_dump(exclude={"id", "reference"})
        return SupportRequest(
            **{**copied, "reference": SupportRequestReference.generate(), **changes}
        )


def _select_list(columns: list[str], replaced: dict[str, str]) -> tuple[str, str]:
    """("col, col, …", "expr, expr, …") copying a row with some columns replaced."""
    return ", ".join(columns), ", ".join(replaced.get(c, c) for c in columns)


def _count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_the_test_copy_itself_is_a_valid_insert(engine: Engine, session: Session) -> None:
    # The baseline for the refusals below: the same copy without an outcome is stored.
    pending = pending_request(engine, session)
    with Session(engine) as s:
        s.add(_copy_of(engine, pending.request_id))
        s.commit()


@pytest.mark.parametrize("column", HANDOFF_OUTCOME_COLUMNS)
def test_a_request_cannot_be_inserted_with_an_outcome(
    engine: Engine, session: Session, column: str
) -> None:
    pending = pending_request(engine, session)
    before = _count(engine, SupportRequest)
    with (
        pytest.raises(DBAPIError, match="created without a handoff outcome"),
        Session(engine) as s,
    ):
        s.add(_copy_of(engine, pending.request_id, **{column: OUTCOME_VALUES[column]}))
        s.commit()
    assert _count(engine, SupportRequest) == before


# SQLite's REPLACE conflict resolution: delete the old row, insert the new one.
SQLITE_REPLACING = {
    "insert or replace, same id": "INSERT OR REPLACE INTO support_requests ({cols})"
    " SELECT {exprs} FROM support_requests WHERE id = :id",
    "replace into, same reference": "REPLACE INTO support_requests ({cols})"
    " SELECT {exprs_new_id} FROM support_requests WHERE id = :id",
}
# Upserts, on both databases.
UPSERTS = {
    "upsert on id": "INSERT INTO support_requests ({cols}) SELECT {exprs}"
    " FROM support_requests WHERE id = :id ON CONFLICT (id) DO UPDATE SET summary = 'rewritten'",
    "upsert on reference": "INSERT INTO support_requests ({cols}) SELECT {exprs_new_id}"
    " FROM support_requests WHERE id = :id"
    " ON CONFLICT (reference) DO UPDATE SET summary = excluded.summary",
    "upsert as a finalisation": "INSERT INTO support_requests ({cols}) SELECT {exprs}"
    " FROM support_requests WHERE id = :id"
    " ON CONFLICT (id) DO UPDATE SET external_ticket_reference = '#99'",
    "upsert doing nothing": "INSERT INTO support_requests ({cols}) SELECT {exprs}"
    " FROM support_requests WHERE id = :id ON CONFLICT DO NOTHING",
}


@pytest.mark.parametrize("case", list(UPSERTS))
def test_no_upsert_can_replace_a_support_request(
    engine: Engine, session: Session, case: str
) -> None:
    _assert_request_not_replaced(engine, session, UPSERTS[case])


@pytest.mark.parametrize("case", list(SQLITE_REPLACING))
def test_sqlite_insert_or_replace_cannot_replace_a_support_request(
    sqlite_engine: Engine, case: str
) -> None:
    with Session(sqlite_engine, expire_on_commit=False) as session:
        _assert_request_not_replaced(sqlite_engine, session, SQLITE_REPLACING[case])


def _assert_request_not_replaced(engine: Engine, session: Session, statement: str) -> None:
    pending = pending_request(engine, session)
    cols, exprs = _select_list(REQUEST_COLUMNS, {"summary": "'rewritten'"})
    _, exprs_new_id = _select_list(
        REQUEST_COLUMNS,
        {"id": "(SELECT max(id) + 1 FROM support_requests)", "summary": "'rewritten'"},
    )
    sql = statement.format(cols=cols, exprs=exprs, exprs_new_id=exprs_new_id)
    before = _count(engine, SupportRequest)
    with pytest.raises(DBAPIError, match="an INSERT may not replace one"), engine.begin() as c:
        c.execute(text(sql), {"id": pending.request_id})
    session.expire_all()
    row = session.get(SupportRequest, pending.request_id)
    assert row.summary != "rewritten" and row.external_ticket_reference is None
    assert _count(engine, SupportRequest) == before


AUDIT_SQLITE_REPLACING = {
    "insert or replace": "INSERT OR REPLACE INTO audit_logs ({cols}) SELECT {exprs}"
    " FROM audit_logs WHERE id = :id",
    "replace into": "REPLACE INTO audit_logs ({cols}) SELECT {exprs} FROM audit_logs"
    " WHERE id = :id",
}
AUDIT_UPSERTS = {
    "upsert": "INSERT INTO audit_logs ({cols}) SELECT {exprs} FROM audit_logs WHERE id = :id"
    " ON CONFLICT (id) DO UPDATE SET action = excluded.action",
    "upsert doing nothing": "INSERT INTO audit_logs ({cols}) SELECT {exprs} FROM audit_logs"
    " WHERE id = :id ON CONFLICT DO NOTHING",
}


@pytest.mark.parametrize("case", list(AUDIT_UPSERTS))
def test_no_upsert_can_replace_an_audit_row(engine: Engine, session: Session, case: str) -> None:
    _assert_audit_not_replaced(engine, session, AUDIT_UPSERTS[case])


@pytest.mark.parametrize("case", list(AUDIT_SQLITE_REPLACING))
def test_sqlite_insert_or_replace_cannot_replace_an_audit_row(
    sqlite_engine: Engine, case: str
) -> None:
    with Session(sqlite_engine) as session:
        _assert_audit_not_replaced(sqlite_engine, session, AUDIT_SQLITE_REPLACING[case])


def _assert_audit_not_replaced(engine: Engine, session: Session, statement: str) -> None:
    audit_id, action = session.exec(
        select(AuditLog.id, AuditLog.action).order_by(AuditLog.id)
    ).first()
    cols, exprs = _select_list(AUDIT_COLUMNS, {"action": "'auth.rewritten'"})
    sql = statement.format(cols=cols, exprs=exprs)
    before = _count(engine, AuditLog)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql), {"id": audit_id})
    session.expire_all()
    assert session.get(AuditLog, audit_id).action == action
    assert _count(engine, AuditLog) == before


def test_new_audit_rows_are_still_appended(engine: Engine, session: Session) -> None:
    # The INSERT guard must not refuse an ordinary insert (the logger's, or a raw one).
    cols, exprs = _select_list([c for c in AUDIT_COLUMNS if c != "id"], {})
    before = _count(engine, AuditLog)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO audit_logs ({cols}) SELECT {exprs} FROM audit_logs"))
    assert _count(engine, AuditLog) == 2 * before


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE support_requests",
        "TRUNCATE audit_logs",
        "TRUNCATE support_requests, audit_logs",
        "TRUNCATE users CASCADE",  # reaches both through their foreign keys
        "TRUNCATE workspaces RESTART IDENTITY CASCADE",
        "TRUNCATE support_request_redactions",
        "TRUNCATE support_request_redactions, support_requests CASCADE",
    ],
)
def test_postgresql_refuses_truncate(pg_engine: Engine, statement: str) -> None:
    # SQLite has no TRUNCATE; an unqualified DELETE is its nearest form (next test).
    with Session(pg_engine) as session:
        pending_request(pg_engine, session)
    before = (_count(pg_engine, SupportRequest), _count(pg_engine, AuditLog))
    # A plain TRUNCATE of support_requests meets the redaction records' foreign key
    # first; every form that gets past it meets the triggers.
    refused = r"TRUNCATE is refused|cannot truncate a table referenced in a foreign key"
    with pytest.raises(DBAPIError, match=refused), pg_engine.begin() as conn:
        conn.execute(text(statement))
    assert (_count(pg_engine, SupportRequest), _count(pg_engine, AuditLog)) == before


@pytest.mark.parametrize("table", ["support_requests", "audit_logs"])
def test_delete_without_where_is_refused(engine: Engine, session: Session, table: str) -> None:
    # SQLite's "truncate optimisation" for an unqualified DELETE skips row triggers
    # unless the table has any; it does, so this is refused like any DELETE.
    pending_request(engine, session)
    with pytest.raises(DBAPIError, match=r"immutable|append-only"), engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table}"))
