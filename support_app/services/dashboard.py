"""Read models for the tenant dashboard and the operation run viewer.

Callers pass an already resolved ``TenantAccess``/``RunAccess`` (or its tenant id; see
``AccessService``); these readers never decide access themselves. Texts that may
carry provider secrets (failure summaries, connection errors) are redacted here,
so no page ever renders them raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from support_app.models import (
    Finding,
    OperationRun,
    ProviderConnection,
    Report,
    Review,
    TenantOpenFindingCount,
)
from support_app.models.platform import FINDING_SEVERITIES, RUN_WITHOUT_RAW_PAYLOAD
from support_app.services.access import RunAccess, TenantAccess
from support_app.services.redaction import redact_text

RECENT_RUNS = 12


def format_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


@dataclass(frozen=True)
class RunRow:
    id: int
    type: str
    status: str
    outcome: str
    started: str
    finished: str
    failure_summary: str

    @classmethod
    def of(cls, run: OperationRun) -> RunRow:
        return cls(
            id=run.id,
            type=run.type,
            status=run.status,
            outcome=run.outcome or "",
            started=format_time(run.started_at),
            finished=format_time(run.finished_at),
            failure_summary=redact_text(run.failure_summary or ""),
        )


@dataclass(frozen=True)
class ConnectionRow:
    display_name: str
    provider: str
    status: str
    last_checked: str
    last_error: str


@dataclass(frozen=True)
class DocumentRow:
    """The latest review or report."""

    title: str
    status: str
    created: str


@dataclass(frozen=True)
class TenantDashboard:
    tenant: TenantAccess
    connections: list[ConnectionRow]
    runs: list[RunRow]
    open_findings: dict[str, int]  # every severity, most severe first
    latest_review: DocumentRow | None
    latest_report: DocumentRow | None


# The reads below are built once with bound parameters and shared by every call (and
# thread: a built statement is immutable). Building a statement and its cache key per
# call cost more than SQLite takes to run it; the submission path makes nine reads.
_TENANT = bindparam("tenant_id")
_LATEST_DOCUMENT = {
    model: select(model)
    .where(model.tenant_id == _TENANT)
    .order_by(col(model.created_at).desc(), col(model.id).desc())
    .limit(1)
    for model in (Review, Report)
}
_TENANT_CONNECTIONS = (
    select(ProviderConnection)
    .where(ProviderConnection.tenant_id == _TENANT)
    .order_by(ProviderConnection.display_name, col(ProviderConnection.id))
)
_RECENT_RUNS = (
    select(OperationRun)
    .options(RUN_WITHOUT_RAW_PAYLOAD)
    .where(OperationRun.tenant_id == _TENANT)
    .order_by(col(OperationRun.created_at).desc(), col(OperationRun.id).desc())
    .limit(bindparam("limit"))
)
_OPEN_FINDING_COUNTS = select(
    TenantOpenFindingCount.severity, TenantOpenFindingCount.open_count
).where(TenantOpenFindingCount.tenant_id == _TENANT)
_FIRST_OPEN_FINDINGS = (
    select(Finding.id, Finding.severity)
    .where(Finding.tenant_id == _TENANT, Finding.status == "open")
    .order_by(col(Finding.id))
    .limit(bindparam("limit"))
)


def latest_document(
    session: Session, model: type[Review] | type[Report], tenant_id: int
) -> Review | Report | None:
    """The tenant's newest review or report (the dashboard and diagnostics both show it)."""
    return session.exec(_LATEST_DOCUMENT[model], params={"tenant_id": tenant_id}).first()


def _latest(session: Session, model: type[Review] | type[Report], tenant_id: int):
    row = latest_document(session, model, tenant_id)
    return DocumentRow(row.title, row.status, format_time(row.created_at)) if row else None


def tenant_connections(session: Session, tenant_id: int) -> list[ProviderConnection]:
    """A tenant's provider connections by name (dashboard, diagnostics, support context)."""
    return list(session.exec(_TENANT_CONNECTIONS, params={"tenant_id": tenant_id}).all())


def recent_runs(session: Session, tenant_id: int, limit: int) -> list[OperationRun]:
    """A tenant's newest runs first (dashboard and diagnostics)."""
    return list(session.exec(_RECENT_RUNS, params={"tenant_id": tenant_id, "limit": limit}).all())


def open_finding_counts(session: Session, tenant_id: int) -> dict[str, int]:
    """Open findings per severity, every severity present, least severe first.

    Read from the trigger-maintained ``TenantOpenFindingCount`` rows (at most one per
    severity), not counted, so the cost does not grow with the tenant's findings.
    """
    counts = dict(session.exec(_OPEN_FINDING_COUNTS, params={"tenant_id": tenant_id}).all())
    return {s: counts.get(s, 0) for s in FINDING_SEVERITIES}


def first_open_findings(session: Session, tenant_id: int, limit: int) -> list[tuple[int, str]]:
    """``(id, severity)`` of the tenant's oldest open findings, at most ``limit``."""
    return list(
        session.exec(_FIRST_OPEN_FINDINGS, params={"tenant_id": tenant_id, "limit": limit}).all()
    )


def read_tenant_dashboard(session: Session, tenant: TenantAccess) -> TenantDashboard:
    tid = tenant.tenant_id
    counts = open_finding_counts(session, tid)
    return TenantDashboard(
        tenant=tenant,
        connections=[
            ConnectionRow(
                c.display_name,
                c.provider,
                c.status,
                format_time(c.last_checked_at),
                redact_text(c.last_error or ""),
            )
            for c in tenant_connections(session, tid)
        ],
        runs=[RunRow.of(r) for r in recent_runs(session, tid, RECENT_RUNS)],
        open_findings=dict(reversed(counts.items())),
        latest_review=_latest(session, Review, tid),
        latest_report=_latest(session, Report, tid),
    )


@dataclass(frozen=True)
class RunView:
    run: RunRow
    tenant: TenantAccess


def read_run(run_access: RunAccess) -> RunView:
    return RunView(run=RunRow.of(run_access.run), tenant=run_access.tenant)
