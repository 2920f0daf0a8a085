"""Time one support-request submission (internal only) on the embedded SQLite default.

Fresh temporary database, migrated and demo-seeded; 100 submissions by the owner
from the Fabrikam dashboard (diagnostic snapshot attached: the heaviest envelope)
and 100 by the operator from a failed run; prints median and p95 per case, and the
latest-handoff summary read.

Run: ``.venv/bin/python bench/support_request_submission.py`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from support_app import migrations
from support_app.db import create_db_engine, session_scope
from support_app.models import OperationRun, Tenant, User
from support_app.services.access import Actor
from support_app.services.demo_seed import seed_demo
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.latest_handoff import (
    LatestHandoffSummaryService,
)
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SupportRequestSubmissionService,
)

RUNS = 100
FORM = SupportRequestForm(
    severity="high",
    summary="Policy backup fails with a throttling error",
    reproduction_notes="Start a policy backup for the tenant and wait for it to finish.",
    contact_name="Bench",
    contact_email="bench@contoso.example",
)


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:<46} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms")


async def _time_submissions(
    service: SupportRequestSubmissionService, actor: Actor, context: SupportContext
) -> list[float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await service.submit(actor, context, FORM)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrations.upgrade(url)
        engine = create_db_engine(url)
        with session_scope(engine) as session:
            seed_demo(session)
        with Session(engine) as session:
            actors = {u.email: Actor.of(u) for u in session.exec(select(User)).all()}
            fabrikam = session.exec(select(Tenant.id).where(Tenant.name == "Fabrikam")).one()
            run_id = session.exec(
                select(OperationRun.id).where(
                    OperationRun.tenant_id == fabrikam, OperationRun.outcome == "failed"
                )
            ).first()
        service = SupportRequestSubmissionService(engine)
        tenant_ctx = SupportContext("tenant", str(fabrikam))
        run_ctx = SupportContext("operation_run", str(run_id))
        owner, operator = actors["owner@contoso.example"], actors["operator@contoso.example"]
        asyncio.run(service.submit(owner, tenant_ctx, FORM))  # warm-up
        _report(
            "submit, tenant, owner (snapshot attached)",
            asyncio.run(_time_submissions(service, owner, tenant_ctx)),
        )
        _report(
            "submit, run, operator (canonical only)",
            asyncio.run(_time_submissions(service, operator, run_ctx)),
        )
        samples = []
        with Session(engine) as session:
            summaries = LatestHandoffSummaryService(session)
            for _ in range(RUNS):
                start = time.perf_counter()
                summaries.for_context(owner, tenant_ctx)
                samples.append((time.perf_counter() - start) * 1000)
        _report("latest-handoff summary read (tenant context)", samples)
        engine.dispose()


if __name__ == "__main__":
    main()
