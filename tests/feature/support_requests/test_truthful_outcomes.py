"""What the submission reports when the database fails around a create.

The operator's screen can only tell the truth if the service does: a request that was
committed is always reported with its reference, whatever fails afterwards; a failure
before the commit says nothing was stored; a failing commit says it may have been,
and under which reference. A desk answer whose write fails is retried in the
background until it is recorded, and this process's sweep records that answer rather
than "unknown".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.models.clock import utcnow
from support_app.services.support_desk.emulator import DeskEmulatorServer, serving_in_background
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests import outcome_recording, submission
from support_app.services.support_requests.context import SupportRequestContextBuilder
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.stale_handoffs import finalise_stale_handoffs
from support_app.services.support_requests.submission import (
    SupportRequestNotStored,
    SupportRequestStorageUnknown,
    SupportRequestSubmissionService,
)
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for, run_coroutine
from tests.feature.support_requests.conftest import counts, tenant_id

EMAIL, TOKEN = "agent@desk.example", "truthful-outcomes-token"
CREATE = SupportRequestForm(
    severity="high", summary="Restore stuck at 40%", handoff_mode="create_external_ticket"
)


def _database_gone() -> OperationalError:
    return OperationalError("INSERT …", {}, ConnectionError("server closed the connection"))


@pytest.fixture(scope="module")
def desk() -> Iterator[DeskEmulatorServer]:
    with serving_in_background(email=EMAIL, token=TOKEN, quiet=True) as server:
        yield server


@pytest.fixture
def service(engine: Engine, desk: DeskEmulatorServer) -> SupportRequestSubmissionService:
    desk.state.set_fault("none")
    target = SupportDeskTarget(desk.base_url, EMAIL, TOKEN)
    return SupportRequestSubmissionService(
        engine, handoff=ExternalSupportDeskHandoffService(target)
    )


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcome_recording, "QUICK_RETRY_DELAYS", (0.05, 0.05, 0.05, 0.05))
    monkeypatch.setattr(outcome_recording, "SLOW_RETRY_SECONDS", 0.05)


def _failing_writes(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[str]:
    """The outcome write fails ``failures`` times (in the submission, then the retries)."""
    real = submission.record_outcome
    calls: list[str] = []

    def flaky(*args, **kwargs):
        calls.append("write")
        if len(calls) <= failures:
            raise _database_gone()
        return real(*args, **kwargs)

    monkeypatch.setattr(submission, "record_outcome", flaky)
    monkeypatch.setattr(outcome_recording, "record_outcome", flaky)
    return calls


def _row(session: Session, reference: str) -> SupportRequest:
    session.expire_all()
    return session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def _actions(session: Session, reference: str) -> list[str]:
    return list(
        session.exec(
            select(AuditLog.action).where(AuditLog.subject_id == reference).order_by(AuditLog.id)
        )
    )


def test_a_known_answer_whose_write_fails_is_reported_saved_and_recorded_later(
    service: SupportRequestSubmissionService,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    quick_retries: None,
) -> None:
    writes = _failing_writes(monkeypatch, failures=3)
    actor = actor_for(session, "operator@contoso.example")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))

    async def scenario():
        result = await service.submit(actor, context, CREATE)
        pending_then = outcome_recording.known_outcome(_row(session, result.reference).id)
        for _ in range(100):
            if outcome_recording.known_outcome(_row(session, result.reference).id) is None:
                break
            await asyncio.sleep(0.05)
        return result, pending_then

    result, pending_then = run_coroutine(scenario())

    assert result.reference.startswith("SR-") and result.outcome_recorded is False
    assert result.as_display()["outcome_recorded"] == ""
    assert result.external_reference  # the desk's answer is known and reported
    assert pending_then is not None
    row = _row(session, result.reference)
    assert row.external_ticket_reference == result.external_reference
    assert len(writes) == 4  # the failed one, two failed retries, the one that stuck
    assert _actions(session, result.reference) == [
        "support_request.created",
        "support_request.external_ticket_created",
    ]


def test_this_processs_sweep_records_the_known_answer_not_unknown(
    service: SupportRequestSubmissionService,
    engine: Engine,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    desk: DeskEmulatorServer,
) -> None:
    desk.state.set_fault("reset")  # the desk drops the connection: a known failure
    _failing_writes(monkeypatch, failures=10_000)
    monkeypatch.setattr(outcome_recording, "QUICK_RETRY_DELAYS", (3600.0,))
    actor = actor_for(session, "operator@contoso.example")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))

    async def scenario():
        result = await service.submit(actor, context, CREATE)
        swept = await asyncio.to_thread(
            finalise_stale_handoffs, engine, older_than=timedelta(0), now=utcnow()
        )
        return result, swept

    result, swept = run_coroutine(scenario())
    assert result.outcome_recorded is False and result.handoff_failed
    assert result.reference in swept
    row = _row(session, result.reference)
    assert row.external_handoff_failure_kind == result.failure_kind
    assert row.external_handoff_failure_kind not in ("app_stopped", "outcome_not_recorded")


def test_a_failure_before_the_commit_stores_nothing_and_says_so(
    service: SupportRequestSubmissionService, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args, **kwargs):
        raise _database_gone()

    monkeypatch.setattr(SupportRequestContextBuilder, "build", unreachable)
    before = counts(session)
    actor = actor_for(session, "operator@contoso.example")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    with pytest.raises(SupportRequestNotStored):
        run_coroutine(service.submit(actor, context, CREATE))
    session.expire_all()
    assert counts(session) == before


def test_a_failing_commit_names_the_reference_it_may_be_stored_under(
    service: SupportRequestSubmissionService, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def commit_lost(self) -> None:
        self.rollback()
        raise _database_gone()

    monkeypatch.setattr(submission.Session, "commit", commit_lost)
    actor = actor_for(session, "operator@contoso.example")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    with pytest.raises(SupportRequestStorageUnknown) as unknown:
        run_coroutine(service.submit(actor, context, CREATE))
    assert unknown.value.reference.startswith("SR-")
