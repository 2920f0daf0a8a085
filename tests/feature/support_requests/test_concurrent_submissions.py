"""Many operators submitting at the same moment (issue 10): nothing lost, nothing doubled.

200 submissions are started at once through the service, as 200 browser tabs would
(the service runs its database work in worker threads): half from a tenant
dashboard by the owner (diagnostic snapshot), half from a failed run by the
operator. Every one must succeed with its own reference, one stored request and
one ``support_request.created`` audit row each. Counts, not timings.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from support_app.models import AuditLog, SupportRequest
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SubmissionResult,
    SupportRequestSubmissionService,
)
from tests.conftest import actor_for, run_coroutine
from tests.feature.support_requests.conftest import counts, failed_run_id, tenant_id

SUBMISSIONS = 200


def test_200_concurrent_submissions_all_stored_once(engine: Engine) -> None:
    with Session(engine) as session:
        owner = actor_for(session, "owner@contoso.example")
        operator = actor_for(session, "operator@contoso.example")
        tenant = SupportContext("tenant", tenant_id(session, "Fabrikam"))
        run = SupportContext("operation_run", failed_run_id(session, "Fabrikam"))
        requests_before, audit_before, _ = counts(session)
    service = SupportRequestSubmissionService(engine)

    async def submit_all() -> list[SubmissionResult | BaseException]:
        return await asyncio.gather(
            *(
                service.submit(
                    *((owner, tenant) if i % 2 else (operator, run)),
                    SupportRequestForm(severity="normal", summary=f"Concurrent request {i}"),
                )
                for i in range(SUBMISSIONS)
            ),
            return_exceptions=True,
        )

    results = run_coroutine(submit_all())

    assert [r for r in results if isinstance(r, BaseException)] == []
    references = {r.reference for r in results}
    assert len(references) == SUBMISSIONS
    with Session(engine) as session:
        requests_after, audit_after, _ = counts(session)
        assert requests_after - requests_before == SUBMISSIONS
        assert audit_after - audit_before == SUBMISSIONS
        stored = session.exec(
            select(SupportRequest.reference, SupportRequest.summary).where(
                col(SupportRequest.reference).in_(references)
            )
        ).all()
        assert len(stored) == SUBMISSIONS
        assert {summary for _, summary in stored} == {
            f"Concurrent request {i}" for i in range(SUBMISSIONS)
        }
        audited = session.exec(
            select(AuditLog.subject_id).where(
                AuditLog.action == "support_request.created",
                col(AuditLog.subject_id).in_(references),
            )
        ).all()
        assert sorted(audited) == sorted(references)
