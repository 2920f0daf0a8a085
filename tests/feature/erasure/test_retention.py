"""Retention: only what is older than the workspace's period ends, in batches, and a
second run or a concurrent one changes nothing twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, Workspace
from support_app.models.clock import utcnow
from support_app.models.erasure import ERASURE_MARKER
from support_app.services.erasure.retention import apply_retention, months_before
from tests.feature.erasure.conftest import backdate, erasures, raise_request, stored

NOW = utcnow()


def _retention(engine: Engine, months: int | None, workspace_id: int = 1) -> None:
    with Session(engine) as s:
        s.exec(
            update(Workspace).where(Workspace.id == workspace_id).values(retention_months=months)
        )
        s.commit()


def _aged(engine: Engine, session: Session, *ages_in_days: int) -> list[str]:
    source = raise_request(engine, session)
    return [backdate(engine, source, NOW - timedelta(days=d)) for d in ages_in_days]


def test_off_by_default_nothing_ends(engine: Engine, session: Session) -> None:
    (old,) = _aged(engine, session, 4000)
    run = apply_retention(engine)
    assert (run.requests_erased, run.audit_rows_erased) == (0, 0)
    assert stored(engine, old).erasure_id is None


def test_only_what_is_older_than_the_period_ends_in_batches(
    engine: Engine, session: Session
) -> None:
    old = _aged(engine, session, 200, 250, 300)
    young = _aged(engine, session, 150)
    oldest = _aged(engine, session, 400)
    _retention(engine, 6)
    # An audit row of Contoso older than six months, one younger.
    with Session(engine) as s:
        s.add(
            AuditLog(
                workspace_id=1,
                action="x.old",
                metadata_json={"email": "a@b.example"},
                actor_user_id=1,
                created_at=NOW - timedelta(days=200),
            )
        )
        s.add(
            AuditLog(
                workspace_id=1,
                action="x.young",
                actor_user_id=1,
                created_at=NOW - timedelta(days=100),
            )
        )
        s.add(
            AuditLog(
                workspace_id=2,
                action="x.litware",
                actor_user_id=4,
                created_at=NOW - timedelta(days=900),
            )
        )
        s.commit()

    run = apply_retention(engine, now=NOW, batch=2)

    assert run.requests_erased == 4
    (contoso,) = run.workspaces
    assert contoso.batches == 2
    assert contoso.cutoff == months_before(NOW, 6)
    for reference in (*old, *oldest):
        assert stored(engine, reference).summary == ERASURE_MARKER
    for reference in young:
        assert stored(engine, reference).erasure_id is None
    records = erasures(engine)
    assert [(r.reason, r.erased_by_user_id, r.policy) for r in records] == [
        ("retention", None, "retention: 6 months")
    ] * 2
    session.expire_all()
    rows = {
        a.action: a for a in session.exec(select(AuditLog).where(AuditLog.action.startswith("x.")))
    }
    assert (rows["x.old"].metadata_json, rows["x.old"].actor_user_id) == (
        {"erased": "retention"},
        None,
    )
    assert rows["x.old"].created_at.date() == (NOW - timedelta(days=200)).date()
    assert rows["x.young"].erasure_id is None and rows["x.young"].actor_user_id == 1
    assert rows["x.litware"].erasure_id is None  # Litware has no retention period
    for record in records:
        audit = session.get_one(AuditLog, record.audit_log_id)
        assert (audit.action, audit.actor_user_id) == ("data.erased", None)


def test_a_second_run_changes_nothing(engine: Engine, session: Session) -> None:
    _aged(engine, session, 100, 120)
    _retention(engine, 3)
    first = apply_retention(engine, now=NOW)
    records = len(erasures(engine))
    again = apply_retention(engine, now=NOW)
    assert first.requests_erased == 2
    assert (again.requests_erased, again.audit_rows_erased) == (0, 0)
    assert len(erasures(engine)) == records


def test_two_processes_at_once_erase_each_request_once(engine: Engine, session: Session) -> None:
    old = _aged(engine, session, *range(100, 130))
    _retention(engine, 3)
    start = threading.Barrier(2)
    runs = []

    def run() -> None:
        start.wait()
        runs.append(apply_retention(engine, now=NOW, batch=4))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 2
    assert sum(r.requests_erased for r in runs) == len(old)
    assert all(stored(engine, r).summary == ERASURE_MARKER for r in old)
    # Every record changed something (no empty record from the loser of a race).
    with Session(engine) as s:
        empty = s.exec(
            text(
                "SELECT count(*) FROM erasures e WHERE NOT EXISTS"
                " (SELECT 1 FROM support_requests r WHERE r.erasure_id = e.id)"
                " AND NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.erasure_id = e.id)"
            )
        ).one()[0]
    assert empty == 0


def test_months_are_calendar_months() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )
