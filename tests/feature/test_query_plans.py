"""The hot paths' reads stay index-bounded (issue 10), checked on SQLite's query plans.

Every SELECT issued by a submission (tenant and run context), the latest-handoff
summary (both scopes), the dashboard, the diagnostics view, the run viewer, the
support-request histories (tenant, run, workspace) and a request's detail is
captured and explained. On the tables that grow with history none may scan the table
or sort in a temporary b-tree (cost growing with the tenant's history), and the
latest-handoff summary must use its partial index. (PostgreSQL's plans on demo data
are sequential scans of tiny tables by design; ``bench/scale.py --explain`` shows
both databases at large history.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app.models import Tenant
from support_app.services.access import AccessService
from support_app.services.dashboard import read_run, read_tenant_dashboard
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.history import (
    HistoryFilters,
    SupportRequestHistoryService,
)
from support_app.services.support_requests.latest_handoff import LatestHandoffSummaryService
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import failed_run_id, tenant_id

GROWING = ("operation_runs", "findings", "audit_logs", "support_requests")


def _paths(engine: Engine) -> dict[str, Callable[[], object]]:
    with Session(engine) as session:
        owner = actor_for(session, "owner@contoso.example")
        operator = actor_for(session, "operator@contoso.example")
        tenant = SupportContext("tenant", tenant_id(session, "Fabrikam"))
        run = SupportContext("operation_run", failed_run_id(session, "Fabrikam"))
        workspace_id = session.get_one(Tenant, tenant.raw_id).workspace_id
    service = SupportRequestSubmissionService(engine)
    form = SupportRequestForm(severity="high", summary="Plans")
    reference = asyncio.run(service.submit(owner, run, form)).reference

    def history(s: Session, **filters: object):
        return SupportRequestHistoryService(s).for_tenant(
            operator, tenant.raw_id, HistoryFilters(**filters), cursor="2999-01-01T00:00:00~9"
        )

    def read(call: Callable[[Session], object]) -> Callable[[], object]:
        def run_in_session() -> object:
            with Session(engine) as session:
                return call(session)

        return run_in_session

    return {
        "submit tenant": lambda: asyncio.run(service.submit(owner, tenant, form)),
        "submit run": lambda: asyncio.run(service.submit(operator, run, form)),
        "latest tenant": read(lambda s: LatestHandoffSummaryService(s).for_context(owner, tenant)),
        "latest run": read(lambda s: LatestHandoffSummaryService(s).for_context(operator, run)),
        "dashboard": read(
            lambda s: read_tenant_dashboard(
                s, AccessService(s).resolve_tenant(owner, tenant.raw_id)
            )
        ),
        "diagnostics": read(lambda s: SupportDiagnosticsService(s).bundle_for(owner, run)),
        "run viewer": read(lambda s: read_run(AccessService(s).resolve_run(operator, run.raw_id))),
        "history tenant": read(history),
        "history tenant filtered": read(lambda s: history(s, severity="high", outcome="failed")),
        "history tenant failed": read(lambda s: history(s, outcome="failed")),
        "history tenant pending": read(lambda s: history(s, outcome="pending")),
        "history tenant blocking": read(lambda s: history(s, severity="blocking")),
        "history tenant mine": read(lambda s: history(s, created_by_me=True)),
        "history run": read(lambda s: history(s, run_id=run.raw_id)),
        "history workspace": read(
            lambda s: SupportRequestHistoryService(s).for_workspace(operator, workspace_id)
        ),
        "detail": read(lambda s: SupportRequestHistoryService(s).detail(operator, reference)),
    }


def _plans(engine: Engine, call: Callable[[], object]) -> list[tuple[str, list[str]]]:
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((" ".join(statement.split()), parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        explain = conn.exec_driver_sql
        return [
            (sql, [row[-1] for row in explain(f"EXPLAIN QUERY PLAN {sql}", params)])
            for sql, params in statements
        ]


PATHS = (
    "submit tenant",
    "submit run",
    "latest tenant",
    "latest run",
    "dashboard",
    "diagnostics",
    "run viewer",
    "history tenant",
    "history tenant filtered",
    "history tenant failed",
    "history tenant pending",
    "history tenant blocking",
    "history tenant mine",
    "history run",
    "history workspace",
    "detail",
)


@pytest.mark.parametrize("path", PATHS)
def test_no_read_on_a_hot_path_grows_with_history(sqlite_engine: Engine, path: str) -> None:
    plans = _plans(sqlite_engine, _paths(sqlite_engine)[path])
    assert plans, "the path issued no SELECT"
    for statement, plan in plans:
        from_table = statement.split(" FROM ", 1)[1].split()[0]
        if from_table not in GROWING:
            continue
        assert not [line for line in plan if line.startswith("SCAN")], (statement, plan)
        assert not [line for line in plan if "TEMP B-TREE" in line], (statement, plan)


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("latest tenant", "ix_support_requests_tenant_latest_handoff"),
        ("latest run", "ix_support_requests_run_latest_handoff"),
    ],
)
def test_the_latest_handoff_reads_its_partial_index(
    sqlite_engine: Engine, path: str, index: str
) -> None:
    plans = _plans(sqlite_engine, _paths(sqlite_engine)[path])
    latest = [plan for statement, plan in plans if "FROM support_requests" in statement]
    assert len(latest) == 1
    assert any(index in line for line in latest[0]), latest[0]


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("history tenant", "ix_support_requests_tenant_history"),
        ("history run", "ix_support_requests_run_history"),
        ("history workspace", "ix_support_requests_workspace_history"),
        ("history tenant failed", "ix_support_requests_tenant_failed_history"),
        ("history tenant pending", "ix_support_requests_tenant_pending_history"),
        ("history tenant blocking", "ix_support_requests_tenant_severity_history"),
        ("history tenant mine", "ix_support_requests_tenant_creator_history"),
    ],
)
def test_each_history_walks_the_index_of_its_filter(
    sqlite_engine: Engine, path: str, index: str
) -> None:
    # A rare filter value on the plain tenant index would walk the tenant's whole
    # history to fill a page.
    plans = _plans(sqlite_engine, _paths(sqlite_engine)[path])
    listed = [plan for statement, plan in plans if "FROM support_requests JOIN users" in statement]
    assert len(listed) == 1
    assert any(index in line for line in listed[0]), listed[0]
