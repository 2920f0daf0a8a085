"""The one allowed finalisation write, and the latest-handoff summary read."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.services.access import Forbidden, NotFound
from support_app.services.support_desk.contract import HandoffOutcome
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.finalisation import (
    HandoffAlreadyFinalised,
    PendingHandoff,
    finalise_handoff,
)
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.latest_handoff import LatestHandoffSummaryService
from support_app.services.support_requests.scope import SupportContext
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import (
    failed_run_id,
    pending_request,
    submit,
    tenant_id,
)

# A desk on a port nothing listens on: create attempts fail fast with "connection_refused".
UNREACHABLE = ExternalSupportDeskHandoffService(
    SupportDeskTarget("http://127.0.0.1:9", "agent@desk.example", "tok"), deadline_seconds=2.0
)


def _finalise(engine: Engine, pending: PendingHandoff, outcome: HandoffOutcome) -> None:
    with Session(engine) as s:
        finalise_handoff(s, pending, outcome, actor_user_id=1)
        s.commit()


FULL_FAILURE = (
    "external_handoff_failure_summary = 'Desk down', external_handoff_failure_kind = 'timeout',"
    " external_handoff_failure_params = '{\"seconds\": 5}'"
)

CREATED = HandoffOutcome(
    external_reference="#7", external_url="https://desk.example/agent/tickets/7"
)


def test_finalisation_happens_exactly_once(engine: Engine, session: Session) -> None:
    pending = pending_request(engine, session)
    _finalise(engine, pending, CREATED)
    with pytest.raises(HandoffAlreadyFinalised):
        _finalise(engine, pending, HandoffOutcome(failure_summary="late", failure_kind="timeout"))
    # Not even a raw statement can change the recorded outcome.
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(
            text("UPDATE support_requests SET external_ticket_reference = '#8' WHERE id = :id"),
            {"id": pending.request_id},
        )
    session.expire_all()
    row = session.get(SupportRequest, pending.request_id)
    assert (row.external_ticket_reference, row.external_handoff_failure_summary) == ("#7", None)
    actions = session.exec(
        select(AuditLog.action).where(AuditLog.subject_id == pending.reference)
    ).all()
    assert actions == ["support_request.external_ticket_created"]


@pytest.mark.parametrize(
    "assignment",
    [
        "external_ticket_reference = '#1', summary = 'rewritten'",
        "external_ticket_reference = '#1', external_handoff_mode = 'link_existing_ticket'",
        "external_ticket_reference = '#1', external_handoff_failure_summary = 'both'",
        "external_ticket_url = 'https://desk.example/agent/tickets/1'",
        # the failure is written whole: summary, kind and params together
        "external_handoff_failure_summary = 'x'",
        "external_handoff_failure_summary = 'x', external_handoff_failure_kind = 'timeout'",
        "external_handoff_failure_summary = 'x', external_handoff_failure_params = '{}'",
        "external_handoff_failure_kind = 'timeout', external_handoff_failure_params = '{}'",
        "external_handoff_failure_kind = 'timeout'",
        "external_handoff_failure_params = '{}'",
        "external_ticket_reference = '#1', external_handoff_failure_kind = 'timeout'",
        "external_ticket_reference = '#1', external_handoff_failure_params = '{}'",
        FULL_FAILURE + ", summary = 'rewritten'",
        FULL_FAILURE + ", external_ticket_reference = '#1'",
    ],
)
def test_finalisation_may_touch_only_a_consistent_outcome(
    engine: Engine, session: Session, assignment: str
) -> None:
    pending = pending_request(engine, session)
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(
            text(f"UPDATE support_requests SET {assignment} WHERE id = :id"),
            {"id": pending.request_id},
        )


def test_a_whole_failure_is_the_one_allowed_write_and_then_frozen(
    engine: Engine, session: Session
) -> None:
    pending = pending_request(engine, session)
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE support_requests SET {FULL_FAILURE} WHERE id = :id"),
            {"id": pending.request_id},
        )
    for assignment in (
        "external_handoff_failure_kind = 'http_5xx'",
        "external_handoff_failure_params = '{\"status\": 500}'",
        "external_handoff_failure_summary = 'other'",
        "external_handoff_failure_kind = NULL",
        "external_handoff_failure_params = NULL",
        "external_ticket_reference = '#1'",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(
                text(f"UPDATE support_requests SET {assignment} WHERE id = :id"),
                {"id": pending.request_id},
            )
    session.expire_all()
    row = session.get(SupportRequest, pending.request_id)
    assert (
        row.external_handoff_failure_summary,
        row.external_handoff_failure_kind,
        row.external_handoff_failure_params,
    ) == ("Desk down", "timeout", {"seconds": 5})


def test_internal_only_requests_can_never_be_finalised(engine: Engine, session: Session) -> None:
    result = submit(
        engine,
        actor_for(session, "owner@contoso.example"),
        SupportContext("tenant", tenant_id(session, "Fabrikam")),
    )
    row = session.exec(
        select(SupportRequest).where(SupportRequest.reference == result.reference)
    ).one()
    pending = PendingHandoff(
        row.id, row.reference, row.workspace_id, row.tenant_id, "create_external_ticket"
    )
    with pytest.raises(HandoffAlreadyFinalised):
        _finalise(engine, pending, CREATED)
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(
            text("UPDATE support_requests SET external_ticket_reference = '#1' WHERE id = :id"),
            {"id": row.id},
        )


def test_racing_finalisations_record_exactly_one_outcome(engine: Engine, session: Session) -> None:
    pending = pending_request(engine, session)
    barrier = threading.Barrier(4)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(number: int) -> None:
        outcome = HandoffOutcome(external_reference=f"#{number}")
        barrier.wait()
        try:
            _finalise(engine, pending, outcome)
            verdict = f"won:{number}"
        except (HandoffAlreadyFinalised, DBAPIError):
            verdict = "lost"
        with lock:
            results.append(verdict)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [r for r in results if r.startswith("won")]
    assert len(results) == 4 and len(winners) == 1
    session.expire_all()
    row = session.get(SupportRequest, pending.request_id)
    assert row.external_ticket_reference == "#" + winners[0].split(":")[1]
    assert (
        len(session.exec(select(AuditLog).where(AuditLog.subject_id == pending.reference)).all())
        == 1
    )


def _link_form(reference: str) -> SupportRequestForm:
    return SupportRequestForm(
        severity="normal",
        summary="Linked to an existing ticket",
        handoff_mode="link_existing_ticket",
        external_reference=reference,
    )


def test_latest_summary_is_per_context(engine: Engine, session: Session) -> None:
    owner = actor_for(session, "owner@contoso.example")
    fabrikam = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    run = SupportContext("operation_run", failed_run_id(session, "Fabrikam"))
    service = LatestHandoffSummaryService(session)
    assert service.for_context(owner, fabrikam) is None

    submit(engine, owner, fabrikam, _link_form("100"))
    submit(engine, owner, fabrikam)  # internal only: not a handoff, not the latest one
    submit(engine, owner, run, _link_form("#200"))
    failed = submit(
        engine,
        owner,
        fabrikam,
        SupportRequestForm(severity="high", summary="x", handoff_mode="create_external_ticket"),
        handoff=UNREACHABLE,
    )
    session.expire_all()

    tenant_latest = service.for_context(owner, fabrikam)
    assert tenant_latest.reference == failed.reference
    assert tenant_latest.outcome == "failed"
    assert tenant_latest.failure_summary == failed.failure_summary
    assert tenant_latest.as_display()["failure_summary"]
    run_latest = service.for_context(owner, run)
    assert (run_latest.outcome, run_latest.external_reference) == ("linked", "#200")
    other_run = SupportContext("operation_run", failed_run_id(session, "Northwind"))
    assert service.for_context(owner, other_run) is None


@pytest.mark.parametrize(
    ("email", "tenant", "expected"),
    [
        ("owner@contoso.example", "Adatum", None),
        ("operator@contoso.example", "Northwind", None),
        ("readonly@contoso.example", "Fabrikam", Forbidden),
        ("readonly@contoso.example", "Northwind", NotFound),
        ("operator@contoso.example", "Adatum", NotFound),
        ("outsider@litware.example", "Fabrikam", NotFound),
        ("owner@contoso.example", "Tailspin", NotFound),
        ("outsider@litware.example", "Tailspin", None),
    ],
)
def test_latest_summary_access(
    engine: Engine, session: Session, email: str, tenant: str, expected
) -> None:
    service = LatestHandoffSummaryService(session)
    actor = actor_for(session, email)
    for context in (
        SupportContext("tenant", tenant_id(session, tenant)),
        SupportContext("operation_run", failed_run_id(session, tenant)),
    ):
        if expected is None:
            assert service.for_context(actor, context) is None
        else:
            with pytest.raises(expected):
                service.for_context(actor, context)
