"""Pinned: what operators and auditors read about a handoff (issue 7, "tests that pin").

* the latest-handoff summary: scoped to exactly one context (a tenant's dashboard
  or one run), internal-only requests never count, and the label says "created",
  "linked", "failed" or "pending" as the request's outcome does;
* the three handoff audit rows (ticket created, ticket linked, handoff failed):
  every column and every metadata key, exactly.

The desk is an ``httpx.MockTransport``, so each outcome is chosen, not hoped for.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.services.access import Actor
from support_app.services.dashboard import format_time
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests import submission
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.latest_handoff import LatestHandoffSummaryService
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SubmissionResult
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import (
    failed_run_id,
    pending_request,
    submit,
    tenant_id,
)

DESK = SupportDeskTarget("https://desk.example", "api@desk.example", "tok")
OWNER = "owner@contoso.example"


def desk_answering(status: int, body: dict | None = None) -> ExternalSupportDeskHandoffService:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body or {})

    return ExternalSupportDeskHandoffService(DESK, transport=httpx.MockTransport(handler))


def _no_call(request: httpx.Request) -> httpx.Response:
    raise AssertionError("linking makes no outbound call")


# Links are checked against the desk's address, so the service must know the desk.
LINKS = ExternalSupportDeskHandoffService(DESK, transport=httpx.MockTransport(_no_call))


def create_form(summary: str = "Backups fail") -> SupportRequestForm:
    return SupportRequestForm(
        severity="high", summary=summary, handoff_mode="create_external_ticket"
    )


def link_form(reference: str) -> SupportRequestForm:
    return SupportRequestForm(
        severity="low",
        summary="Already reported",
        handoff_mode="link_existing_ticket",
        external_reference=reference,
        external_url=f"https://desk.example/agent/tickets/{reference.lstrip('#')}",
    )


class Contexts:
    def __init__(self, session: Session) -> None:
        self.fabrikam = SupportContext("tenant", tenant_id(session, "Fabrikam"))
        self.fabrikam_run = SupportContext("operation_run", failed_run_id(session, "Fabrikam"))
        self.northwind = SupportContext("tenant", tenant_id(session, "Northwind"))
        self.northwind_run = SupportContext("operation_run", failed_run_id(session, "Northwind"))


def latest(session: Session, actor: Actor, context: SupportContext) -> dict[str, str] | None:
    session.expire_all()
    summary = LatestHandoffSummaryService(session).for_context(actor, context)
    return summary.as_display() if summary else None


def _stored(session: Session, reference: str) -> SupportRequest:
    session.expire_all()
    return session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def test_latest_summary_scoping_and_labels_in_the_tenant_context(
    engine: Engine, session: Session
) -> None:
    owner, ctx = actor_for(session, OWNER), Contexts(session)
    assert latest(session, owner, ctx.fabrikam) is None

    linked = submit(engine, owner, ctx.fabrikam, link_form("#100"), LINKS)
    shown = latest(session, owner, ctx.fabrikam)
    assert shown == {
        "reference": linked.reference,
        "mode": "link_existing_ticket",
        "outcome": "linked",
        "external_reference": "#100",
        "external_url": "https://desk.example/agent/tickets/100",
        "failure_summary": "",
        "failure_kind": "",
        "failure_params": "{}",
        "created": format_time(_stored(session, linked.reference).created_at),
    }

    submit(engine, owner, ctx.fabrikam)  # internal only: never "the latest handoff"
    assert latest(session, owner, ctx.fabrikam)["reference"] == linked.reference

    created = submit(engine, owner, ctx.fabrikam, create_form(), desk_answering(201, TICKET_7))
    shown = latest(session, owner, ctx.fabrikam)
    assert (shown["reference"], shown["mode"], shown["outcome"]) == (
        created.reference,
        "create_external_ticket",
        "created",
    )
    assert (shown["external_reference"], shown["external_url"]) == (
        "#7",
        "https://desk.example/agent/tickets/7",
    )

    # Other contexts do not leak in: the tenant's run, another tenant.
    submit(engine, owner, ctx.fabrikam_run, link_form("#300"), LINKS)
    submit(engine, owner, ctx.northwind, link_form("#400"), LINKS)
    assert latest(session, owner, ctx.fabrikam)["reference"] == created.reference

    pending = pending_request(engine, session)  # a Fabrikam tenant request, mid-call
    shown = latest(session, owner, ctx.fabrikam)
    assert (shown["reference"], shown["outcome"]) == (pending.reference, "pending")


TICKET_7 = {"ticket": {"id": 7}}


def test_latest_summary_scoping_and_labels_in_the_run_context(
    engine: Engine, session: Session
) -> None:
    owner, ctx = actor_for(session, OWNER), Contexts(session)
    assert latest(session, owner, ctx.fabrikam_run) is None

    failed = submit(engine, owner, ctx.fabrikam_run, create_form(), desk_answering(503))
    shown = latest(session, owner, ctx.fabrikam_run)
    assert shown == {
        "reference": failed.reference,
        "mode": "create_external_ticket",
        "outcome": "failed",
        "external_reference": "",
        "external_url": "",
        "failure_summary": failed.failure_summary,
        "failure_kind": "http_5xx",
        "failure_params": '{"status":503}',
        "created": format_time(_stored(session, failed.reference).created_at),
    }
    assert failed.failure_summary.startswith("The external support desk reported a server error")

    submit(engine, owner, ctx.fabrikam_run)  # internal only
    submit(engine, owner, ctx.fabrikam, link_form("#500"), LINKS)  # the tenant, not this run
    submit(engine, owner, ctx.northwind_run, link_form("#600"), LINKS)  # another tenant's run
    assert latest(session, owner, ctx.fabrikam_run)["reference"] == failed.reference
    assert latest(session, owner, ctx.northwind_run)["reference"] != failed.reference

    linked = submit(engine, owner, ctx.fabrikam_run, link_form("#200"), LINKS)
    shown = latest(session, owner, ctx.fabrikam_run)
    assert (shown["reference"], shown["outcome"], shown["external_reference"]) == (
        linked.reference,
        "linked",
        "#200",
    )
    created = submit(engine, owner, ctx.fabrikam_run, create_form(), desk_answering(201, TICKET_7))
    assert latest(session, owner, ctx.fabrikam_run)["outcome"] == "created"
    assert latest(session, owner, ctx.fabrikam_run)["reference"] == created.reference


# --- the three handoff audit rows, exactly ---------------------------------------------


def _handoff_audit(session: Session, result: SubmissionResult) -> AuditLog:
    session.expire_all()
    rows = session.exec(
        select(AuditLog).where(AuditLog.subject_id == result.reference).order_by(AuditLog.id)
    ).all()
    assert [r.action for r in rows[:1]] == ["support_request.created"]
    assert len(rows) == 2
    return rows[1]


def _columns(row: AuditLog) -> tuple:
    return (
        row.action,
        row.workspace_id,
        row.tenant_id,
        row.actor_user_id,
        row.subject_type,
        row.subject_id,
    )


@pytest.mark.parametrize("kind", ["tenant", "operation_run"])
def test_the_three_handoff_audit_rows_exactly(engine: Engine, session: Session, kind: str) -> None:
    operator = actor_for(session, "operator@contoso.example")
    ctx = Contexts(session)
    context = ctx.fabrikam if kind == "tenant" else ctx.fabrikam_run
    fabrikam = tenant_id(session, "Fabrikam")
    workspace = _stored(session, submit(engine, operator, context).reference).workspace_id

    created = submit(engine, operator, context, create_form(), desk_answering(201, TICKET_7))
    row = _handoff_audit(session, created)
    assert _columns(row) == (
        "support_request.external_ticket_created",
        workspace,
        fabrikam,
        operator.user_id,
        "support_request",
        created.reference,
    )
    assert row.metadata_json == {
        "reference": created.reference,
        "handoff_mode": "create_external_ticket",
        "external_reference": "#7",
    }

    linked = submit(engine, operator, context, link_form("#42"), LINKS)
    row = _handoff_audit(session, linked)
    assert _columns(row) == (
        "support_request.external_ticket_linked",
        workspace,
        fabrikam,
        operator.user_id,
        "support_request",
        linked.reference,
    )
    assert row.metadata_json == {
        "reference": linked.reference,
        "handoff_mode": "link_existing_ticket",
        "external_reference": "#42",
    }

    failed = submit(engine, operator, context, create_form(), desk_answering(429))
    row = _handoff_audit(session, failed)
    assert _columns(row) == (
        "support_request.external_handoff_failed",
        workspace,
        fabrikam,
        operator.user_id,
        "support_request",
        failed.reference,
    )
    assert row.metadata_json == {
        "reference": failed.reference,
        "handoff_mode": "create_external_ticket",
        "failure_kind": "http_429",
        "failure_summary": "The external support desk is rate limiting requests (HTTP 429);"
        " try again later.",
    }
    stored = _stored(session, failed.reference)
    assert (
        stored.external_handoff_failure_kind,
        stored.external_handoff_failure_params,
        stored.external_handoff_failure_summary,
    ) == ("http_429", {}, row.metadata_json["failure_summary"])
    assert failed.as_display()["failure_kind"] == "http_429"
    assert failed.as_display()["failure_params"] == "{}"


# --- no exception leaves a committed request pending ------------------------------------


def _raising(error: Exception) -> ExternalSupportDeskHandoffService:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return ExternalSupportDeskHandoffService(DESK, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "error", [RuntimeError("boom"), ValueError("bad"), MemoryError(), KeyError("k")]
)
def test_an_exception_outside_httpx_ends_in_a_stored_failure(
    engine: Engine, session: Session, error: Exception
) -> None:
    owner = actor_for(session, OWNER)
    context = Contexts(session).fabrikam
    result = submit(engine, owner, context, create_form(), _raising(error))

    assert (result.failure_kind, result.failure_params) == (
        "unexpected",
        {"reference": result.reference},
    )
    stored = _stored(session, result.reference)
    assert stored.external_handoff_failure_kind == "unexpected"
    assert stored.external_handoff_failure_summary == result.failure_summary
    assert result.reference in result.failure_summary  # the desk may hold a ticket
    assert _handoff_audit(session, result).metadata_json["failure_kind"] == "unexpected"


def test_a_ticket_that_cannot_even_be_built_ends_in_a_stored_failure(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: SupportRequest) -> None:
        raise TypeError("cannot build")

    monkeypatch.setattr(submission, "outbound_ticket", broken)
    owner = actor_for(session, OWNER)
    result = submit(engine, owner, Contexts(session).fabrikam, create_form(), LINKS)
    assert result.failure_kind == "unexpected"
    assert _stored(session, result.reference).external_handoff_failure_kind == "unexpected"
