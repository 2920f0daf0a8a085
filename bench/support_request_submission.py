"""Time one support-request submission on the embedded SQLite default.

Fresh temporary database, migrated and demo-seeded; 100 internal-only submissions
by the owner from the Fabrikam dashboard (diagnostic snapshot attached: the
heaviest envelope), 100 by the operator from a failed run, 100 with "create a new
ticket" against the local desk emulator (request, audit, desk call, finalisation),
and 100 latest-handoff summary reads; prints median and p95 per case.

Run: ``.venv/bin/python bench/support_request_submission.py`` (or ``make bench``).
"""

from __future__ import annotations

import asyncio
import dataclasses
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
from support_app.services.support_desk.emulator import serving_in_background
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.latest_handoff import (
    LatestHandoffSummaryService,
)
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SupportRequestSubmissionService,
)
from support_app.settings import SupportDeskTarget

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
    service: SupportRequestSubmissionService,
    actor: Actor,
    context: SupportContext,
    form: SupportRequestForm = FORM,
) -> list[float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = await service.submit(actor, context, form)
        if result.handoff_failed:
            raise SystemExit(f"handoff failed: {result.failure_summary}")
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
        with serving_in_background(email="bench@desk.example", token="t", quiet=True) as desk:
            with_desk = SupportRequestSubmissionService(
                engine,
                handoff=ExternalSupportDeskHandoffService(
                    SupportDeskTarget(desk.base_url, "bench@desk.example", "t")
                ),
            )
            _report(
                "submit + create ticket (emulator), operator",
                asyncio.run(
                    _time_submissions(
                        with_desk,
                        operator,
                        tenant_ctx,
                        dataclasses.replace(FORM, handoff_mode="create_external_ticket"),
                    )
                ),
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
