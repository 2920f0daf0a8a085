"""Helpers shared by the support-request feature tests."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, OperationRun, SupportRequest, Tenant
from support_app.services.access import Actor
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.finalisation import PendingHandoff
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SubmissionResult,
    SupportRequestSubmissionService,
)
from tests.conftest import actor_for, run_coroutine


def tenant_id(session: Session, name: str) -> int:
    return session.exec(select(Tenant.id).where(Tenant.name == name)).one()


def failed_run_id(session: Session, tenant_name: str) -> int:
    return session.exec(
        select(OperationRun.id)
        .where(OperationRun.tenant_id == tenant_id(session, tenant_name))
        .where(OperationRun.outcome == "failed")
        .order_by(OperationRun.id)
    ).first()


def counts(session: Session) -> tuple[int, int, int]:
    """(support requests, audit rows, operation runs) right now."""
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(SupportRequest)).one(),
        session.exec(select(func.count()).select_from(AuditLog)).one(),
        session.exec(select(func.count()).select_from(OperationRun)).one(),
    )


def pending_request(
    engine: Engine, session: Session, *, created_at: datetime | None = None
) -> PendingHandoff:
    """A create handoff with no outcome yet (as after a crash mid-call).

    Copied from a request the service created, with a fresh reference and the
    create mode, so every other column is exactly what the service writes;
    ``created_at`` backdates it (the stale-handoff sweep looks at its age).
    """
    owner = actor_for(session, "owner@contoso.example")
    result = submit(engine, owner, SupportContext("tenant", tenant_id(session, "Fabrikam")))
    with Session(engine) as s:
        source = s.exec(
            select(SupportRequest).where(SupportRequest.reference == result.reference)
        ).one()
        copied = source.model_dump(exclude={"id", "reference", "external_handoff_mode"})
        if created_at is not None:
            copied["created_at"] = created_at
        clone = SupportRequest(
            **copied,
            reference=SupportRequestReference.generate(),
            external_handoff_mode="create_external_ticket",
        )
        s.add(clone)
        s.commit()
        return PendingHandoff.of(clone)


def submit(
    engine: Engine,
    actor: Actor,
    context: SupportContext,
    form: SupportRequestForm | None = None,
    handoff: ExternalSupportDeskHandoffService | None = None,
) -> SubmissionResult:
    form = form or SupportRequestForm(severity="high", summary="Backups fail since Monday")
    service = SupportRequestSubmissionService(engine, handoff=handoff)
    return run_coroutine(service.submit(actor, context, form))


@pytest.fixture
def no_outbound_http(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test on any httpx request, sync or async; returns the attempts."""
    attempts: list[str] = []

    def refuse(self, request: httpx.Request, *args, **kwargs):
        attempts.append(str(request.url))
        raise AssertionError(f"unexpected outbound HTTP request to {request.url}")

    async def refuse_async(self, request: httpx.Request, *args, **kwargs):
        return refuse(self, request)

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse_async)
    return attempts
