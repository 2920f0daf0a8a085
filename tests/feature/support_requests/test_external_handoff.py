"""Submissions with an external handoff, over real HTTP to the desk emulator.

Covers create from a tenant and from a run, link without any outbound call, and
every emulator fault: the internal request is always kept, the failure summary is
stored on it, and the failure is audited; hang and drip end within the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.services.support_desk.emulator import (
    FAULT_MODES,
    DeskEmulatorServer,
    serving_in_background,
)
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests import submission
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import counts, failed_run_id, submit, tenant_id

EMAIL, TOKEN = "agent@desk.example", "feature-test-token"
DEADLINE_S = 5.0
# Contract 1 of the brief: the kinds helper ux renders (handoff.failure.<kind>).
FAILURE_KINDS = {
    "unavailable",
    "timeout",
    "tls",
    "connection_refused",
    "connection_closed",
    "request_not_sent",
    "redirect",
    "http_401",
    "http_403",
    "http_422",
    "http_429",
    "http_4xx",
    "http_5xx",
    "oversized",
    "malformed",
    "unexpected",
    "app_stopped",
    "outcome_not_recorded",
}


@pytest.fixture(scope="module")
def desk() -> Iterator[DeskEmulatorServer]:
    with serving_in_background(email=EMAIL, token=TOKEN, quiet=True) as server:
        yield server


@pytest.fixture
def handoff(desk: DeskEmulatorServer) -> Iterator[ExternalSupportDeskHandoffService]:
    desk.state.set_fault("none")
    yield ExternalSupportDeskHandoffService(SupportDeskTarget(desk.base_url, EMAIL, TOKEN))
    desk.state.set_fault("none")


def _create_form(severity: str = "blocking") -> SupportRequestForm:
    return SupportRequestForm(
        severity=severity,
        summary="Restore stuck at 40%",
        reproduction_notes="Start a restore and wait.",
        handoff_mode="create_external_ticket",
    )


def _row(session: Session, reference: str) -> SupportRequest:
    session.expire_all()
    return session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def _audit_actions(session: Session, reference: str) -> list[str]:
    return list(
        session.exec(
            select(AuditLog.action).where(AuditLog.subject_id == reference).order_by(AuditLog.id)
        )
    )


@pytest.mark.parametrize("kind", ["tenant", "operation_run"])
def test_create_ticket_success(
    engine: Engine,
    session: Session,
    desk: DeskEmulatorServer,
    handoff: ExternalSupportDeskHandoffService,
    kind: str,
) -> None:
    raw = tenant_id(session, "Fabrikam") if kind == "tenant" else failed_run_id(session, "Fabrikam")
    result = submit(
        engine,
        actor_for(session, "operator@contoso.example"),
        SupportContext(kind, raw),
        _create_form(),
        handoff,
    )
    assert not result.handoff_failed
    ticket_id = int(result.external_reference.lstrip("#"))
    assert result.external_url == f"{desk.base_url}/agent/tickets/{ticket_id}"
    row = _row(session, result.reference)
    assert (row.external_handoff_mode, row.primary_context_type) == ("create_external_ticket", kind)
    assert (row.external_ticket_reference, row.external_ticket_url) == (
        result.external_reference,
        result.external_url,
    )
    assert row.external_handoff_failure_summary is None
    assert _audit_actions(session, result.reference) == [
        "support_request.created",
        "support_request.external_ticket_created",
    ]
    # What the desk received: the SR reference as external_id, mapped priority, no secrets.
    ticket = desk.state.ticket(ticket_id)
    assert ticket["external_id"] == result.reference
    assert ticket["priority"] == "urgent"
    listed = httpx.get(
        f"{desk.base_url}/api/v2/tickets",
        params={"external_id": result.reference},
        auth=(f"{EMAIL}/token", TOKEN),
        trust_env=False,
    ).json()
    assert [t["id"] for t in listed["tickets"]] == [ticket_id]


def test_link_makes_no_outbound_request(
    engine: Engine,
    session: Session,
    desk: DeskEmulatorServer,
    handoff: ExternalSupportDeskHandoffService,
) -> None:
    before = desk.state.create_requests
    result = submit(
        engine,
        actor_for(session, "owner@contoso.example"),
        SupportContext("operation_run", failed_run_id(session, "Adatum")),
        SupportRequestForm(
            severity="normal",
            summary="Already reported",
            handoff_mode="link_existing_ticket",
            external_reference="#123",
            external_url=f"{desk.base_url}/agent/tickets/123",
        ),
        handoff,
    )
    assert desk.state.create_requests == before
    assert (result.external_reference, result.external_url) == (
        "#123",
        f"{desk.base_url}/agent/tickets/123",
    )
    assert _audit_actions(session, result.reference)[-1] == "support_request.external_ticket_linked"


def test_a_link_is_stored_with_its_request_or_not_at_all(
    engine: Engine,
    session: Session,
    desk: DeskEmulatorServer,
    handoff: ExternalSupportDeskHandoffService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A link is finalised in the transaction that creates the request: if recording
    # the link fails (or the process stops), no request is left "pending" for ever.
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("finalisation refused")

    monkeypatch.setattr(submission, "finalise_handoff", refuse)
    before = counts(session)
    with pytest.raises(RuntimeError, match="finalisation refused"):
        submit(
            engine,
            actor_for(session, "owner@contoso.example"),
            SupportContext("tenant", tenant_id(session, "Northwind")),
            SupportRequestForm(
                severity="normal",
                summary="Already reported",
                handoff_mode="link_existing_ticket",
                external_reference="#124",
            ),
            handoff,
        )
    assert counts(session) == before


# "slow" answers within the deadline (tests/feature/support_desk/test_emulator_handoff.py).
@pytest.mark.parametrize("fault", [m for m in FAULT_MODES if m not in ("none", "slow")])
def test_every_desk_fault_keeps_the_request_and_records_the_failure(
    engine: Engine,
    session: Session,
    desk: DeskEmulatorServer,
    handoff: ExternalSupportDeskHandoffService,
    fault: str,
) -> None:
    desk.state.set_fault(fault)
    before = counts(session)
    started = time.monotonic()
    result = submit(
        engine,
        actor_for(session, "owner@contoso.example"),
        SupportContext("tenant", tenant_id(session, "Northwind")),
        _create_form("low"),
        handoff,
    )
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_S + 1.5, f"{fault} took {elapsed:.2f} s"
    assert result.handoff_failed and result.external_reference is None
    row = _row(session, result.reference)
    assert row.external_handoff_failure_summary == result.failure_summary
    assert (row.external_handoff_failure_kind, row.external_handoff_failure_params) == (
        result.failure_kind,
        result.failure_params,
    )
    assert result.failure_kind in FAILURE_KINDS
    assert "\n" not in row.external_handoff_failure_summary
    assert len(row.external_handoff_failure_summary) <= 300
    assert TOKEN not in row.external_handoff_failure_summary
    assert row.external_ticket_reference is None
    if fault == "hang":
        assert result.reference in row.external_handoff_failure_summary  # outcome unknown
    assert _audit_actions(session, result.reference) == [
        "support_request.created",
        "support_request.external_handoff_failed",
    ]
    after = counts(session)
    assert after == (before[0] + 1, before[1] + 2, before[2])  # request kept, no run
