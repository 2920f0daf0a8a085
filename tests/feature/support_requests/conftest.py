"""Helpers shared by the support-request feature tests."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, OperationRun, SupportRequest, Tenant
from support_app.services.access import Actor
from support_app.services.audit import AuditActionId
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SubmissionResult,
    SupportRequestSubmissionService,
)
from tests.conftest import run_coroutine


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
    """(support requests, audit rows, operation runs) right now.

    ``access.denied`` rows are not counted: a refused attempt writes exactly that
    trace and nothing else (see ``denials``).
    """
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(SupportRequest)).one(),
        session.exec(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action != AuditActionId.ACCESS_DENIED.value)
        ).one(),
        session.exec(select(func.count()).select_from(OperationRun)).one(),
    )


def denials(session: Session, user_id: int | None = None) -> list[AuditLog]:
    """The ``access.denied`` rows (of ``user_id``), oldest first."""
    session.expire_all()
    query = select(AuditLog).where(AuditLog.action == AuditActionId.ACCESS_DENIED.value)
    if user_id is not None:
        query = query.where(AuditLog.actor_user_id == user_id)
    return list(session.exec(query.order_by(AuditLog.id)))


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
