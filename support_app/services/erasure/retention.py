"""Retention: requests and audit details older than a workspace's period end.

A workspace's ``retention_months`` (NULL: off, the default) sets the period. A run
walks each such workspace in batches of ``BATCH`` rows, each batch one short
transaction of its own: an ``Erasure`` record (reason ``retention``, no user: the
policy names the period), its audit row, the requests made tombstones and the audit
rows whose actor and details are erased (action and time stay). No lock is held
across batches, so pages and submissions wait at most one batch.

Safe twice and from two processes at once: the UPDATEs change only rows not erased
yet (a batch that finds nothing left to change is rolled back, leaving no empty
record), and on PostgreSQL a transaction-independent advisory lock lets one process
run while the others skip. Started by ``python -m support_app apply-retention`` (for
a scheduler) and by the app's own lifespan task (``retention_sweeper``), daily.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app.db import get_engine
from support_app.models import AuditLog, SupportRequest, Workspace
from support_app.models.clock import utcnow
from support_app.models.erasure import ErasureReason
from support_app.models.platform import RETENTION_MONTHS_MAX
from support_app.services.access import AccessService, Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.capabilities import Capability
from support_app.services.erasure.records import (
    begin_erasure,
    erase_audit_details,
    live_request_ids,
    tombstone,
    unerased_audit_ids,
)
from support_app.services.support_requests.stale_handoffs import only_one_sweeper

BATCH = 500
SWEEP_INTERVAL_SECONDS = 24 * 3600.0
# pg_try_advisory_lock key: any constant unique to this job ("SAreten" in ASCII).
_ADVISORY_LOCK_KEY = 0x5341_7265_7465_6E

logger = logging.getLogger(__name__)


@dataclass
class WorkspaceRetention:
    workspace_id: int
    cutoff: datetime
    requests_erased: int = 0
    audit_rows_erased: int = 0
    batches: int = 0


@dataclass
class RetentionRun:
    """What one run did; ``skipped`` when another process held the run (PostgreSQL)."""

    workspaces: list[WorkspaceRetention] = field(default_factory=list)
    skipped: bool = False

    @property
    def requests_erased(self) -> int:
        return sum(w.requests_erased for w in self.workspaces)

    @property
    def audit_rows_erased(self) -> int:
        return sum(w.audit_rows_erased for w in self.workspaces)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def policy_of(months: int) -> str:
    return f"retention: {months} months"


def apply_retention(
    engine: Engine, *, now: datetime | None = None, batch: int = BATCH
) -> RetentionRun:
    """Erase what every workspace's retention period says has ended."""
    moment = now or utcnow()
    with only_one_sweeper(engine, _ADVISORY_LOCK_KEY) as acquired:
        if not acquired:
            return RetentionRun(skipped=True)
        with Session(engine) as session:
            periods = session.execute(
                select(Workspace.id, Workspace.retention_months).where(
                    Workspace.retention_months.is_not(None)  # type: ignore[union-attr]
                )
            ).all()
        run = RetentionRun()
        for workspace_id, months in periods:
            progress = WorkspaceRetention(workspace_id, months_before(moment, months))
            while _one_batch(engine, progress, policy_of(months), batch):
                pass
            run.workspaces.append(progress)
        return run


def _one_batch(engine: Engine, progress: WorkspaceRetention, policy: str, batch: int) -> bool:
    """One transaction: up to ``batch`` requests and audit rows; False when none was left."""
    requests = SupportRequest.__table__.c  # type: ignore[attr-defined]
    audit = AuditLog.__table__.c  # type: ignore[attr-defined]
    with Session(engine) as session:
        request_ids = (
            session.execute(
                live_request_ids(
                    batch,
                    requests.workspace_id == progress.workspace_id,
                    requests.created_at < progress.cutoff,
                )
            )
            .scalars()
            .all()
        )
        audit_ids = (
            session.execute(
                unerased_audit_ids(
                    batch,
                    audit.workspace_id == progress.workspace_id,
                    audit.created_at < progress.cutoff,
                )
            )
            .scalars()
            .all()
        )
        if not request_ids and not audit_ids:
            return False
        erasure = begin_erasure(
            session,
            workspace_id=progress.workspace_id,
            reason=ErasureReason.RETENTION,
            actor_user_id=None,
            policy=policy,
            metadata={"requests": len(request_ids), "audit_rows": len(audit_ids)},
        )
        erased = tombstone(session, erasure, request_ids)
        scrubbed = erase_audit_details(session, erasure, audit_ids)
        if not erased and not scrubbed:  # another process got there first
            session.rollback()
            return False
        session.commit()
    progress.requests_erased += erased
    progress.audit_rows_erased += scrubbed
    progress.batches += 1
    return True


async def retention_sweeper(
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Reflex lifespan task: apply retention at start-up and then daily."""
    while True:
        try:
            run = await asyncio.to_thread(apply_retention, get_engine())
        except Exception:  # a sweep must never take the app down; the next one retries
            logger.exception("Applying retention failed")
        else:
            if run.requests_erased or run.audit_rows_erased:
                logger.warning(
                    "Retention erased %d request(s) and the details of %d audit row(s)",
                    run.requests_erased,
                    run.audit_rows_erased,
                )
        await sleep(SWEEP_INTERVAL_SECONDS)


class RetentionPeriodRefused(ValueError):
    """Not a retention period: nothing was changed."""


def parse_retention_months(raw: object) -> int | None:
    """Months (1 to ``RETENTION_MONTHS_MAX``), or None for "off"/""; else refused."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "off")):
        return None
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= RETENTION_MONTHS_MAX:
        raise RetentionPeriodRefused(
            f"a whole number of months from 1 to {RETENTION_MONTHS_MAX}, or off"
        )
    return int(text)


def set_retention_period(
    engine: Engine, workspace_id: int, raw: object, actor_user_id: int | None = None
) -> int | None:
    """Set (or turn off) a workspace's retention period, audited; the months set."""
    months = parse_retention_months(raw)
    with Session(engine) as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None:
            raise RetentionPeriodRefused(f"no workspace {workspace_id}")
        before = workspace.retention_months
        workspace.retention_months = months
        WorkspaceAuditLogger(session).record(
            AuditActionId.RETENTION_PERIOD_SET,
            workspace_id=workspace_id,
            actor_user_id=actor_user_id,
            subject_type="workspace",
            subject_id=workspace_id,
            metadata={"months": months, "before": before},
        )
        session.commit()
    return months


@dataclass(frozen=True)
class RetentionView:
    """A workspace's retention period as its member sees it."""

    workspace_id: int
    can_manage: bool  # the workspace owner: may set it, and erase a person's data
    months: int | None


class RetentionSettings:
    """The owner's page: read the period (any member), set it (the owner alone)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def read(self, actor: Actor, workspace_id: object) -> RetentionView:
        with Session(self._engine) as session:
            workspace = AccessService(session).resolve_workspace(actor, workspace_id)
            months = session.get_one(Workspace, workspace.workspace_id).retention_months
        return RetentionView(
            workspace.workspace_id, workspace.can(Capability.WORKSPACE_ERASE_DATA), months
        )

    def set(self, actor: Actor, workspace_id: object, raw: object) -> int | None:
        with Session(self._engine) as session:
            access = AccessService(session)
            workspace = access.resolve_workspace(actor, workspace_id)
            access.authorize_workspace(actor, workspace, Capability.WORKSPACE_ERASE_DATA)
        return set_retention_period(self._engine, workspace.workspace_id, raw, actor.user_id)
