"""The one write a support request may receive after creation: its handoff outcome.

A single conditional UPDATE fills only the handoff outcome columns - the ticket
reference and URL, or the English failure summary with its kind and parameters -
and only while the request asked for a handoff and has no outcome yet; exactly one
row must change. The database triggers (migrations 0003 and 0005) enforce the same
rule, so a second or racing finalisation (the submission, or the stale-handoff
sweep) fails instead of overwriting the first, whichever path it takes. The
matching audit row is written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from support_app.models import SupportRequest
from support_app.models.support_request import FAILURE_KIND_MAX, FAILURE_SUMMARY_MAX
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.redaction import redact_text
from support_app.services.support_desk.contract import FailureParams, HandoffOutcome
from support_app.services.support_requests.form import INTERNAL_ONLY, LINK_EXISTING_TICKET


class HandoffAlreadyFinalised(Exception):
    """The request has no pending handoff (never asked for, or already finalised)."""


@dataclass(frozen=True)
class PendingHandoff:
    """What finalisation needs to know about a just-created request."""

    request_id: int
    reference: str
    workspace_id: int
    tenant_id: int
    handoff_mode: str

    @classmethod
    def of(cls, request: SupportRequest) -> PendingHandoff:
        assert request.id is not None, "only a stored request can be finalised"
        return cls(
            request_id=request.id,
            reference=request.reference,
            workspace_id=request.workspace_id,
            tenant_id=request.tenant_id,
            handoff_mode=request.external_handoff_mode,
        )


def bounded_failure_summary(text: str) -> str:
    """One redacted line, cut to the column's bound."""
    line = " ".join(redact_text(text).split())
    return line if len(line) <= FAILURE_SUMMARY_MAX else line[: FAILURE_SUMMARY_MAX - 1] + "…"


FAILURE_PARAM_MAX = 100
UNKNOWN_FAILURE_KIND = "unexpected"


def bounded_failure_params(params: FailureParams) -> FailureParams:
    """Ints as they are, strings redacted and bounded: the params are shown like the summary."""
    return {
        key[:FAILURE_PARAM_MAX]: value
        if isinstance(value, int)
        else " ".join(redact_text(str(value)).split())[:FAILURE_PARAM_MAX]
        for key, value in params.items()
    }


def stored_failure(outcome: HandoffOutcome) -> HandoffOutcome:
    """A failed ``outcome`` exactly as ``finalise_handoff`` stores it."""
    return HandoffOutcome(
        failure_summary=bounded_failure_summary(outcome.failure_summary or ""),
        failure_kind=(outcome.failure_kind or UNKNOWN_FAILURE_KIND)[:FAILURE_KIND_MAX],
        failure_params=bounded_failure_params(outcome.failure_params),
    )


def recorded_outcome(request: SupportRequest) -> HandoffOutcome | None:
    """The outcome stored on ``request``, or None while its handoff is pending."""
    if request.external_handoff_failure_summary is not None:
        return HandoffOutcome(
            failure_summary=request.external_handoff_failure_summary,
            failure_kind=request.external_handoff_failure_kind,
            failure_params=dict(request.external_handoff_failure_params or {}),
        )
    if request.external_ticket_reference is not None:
        return HandoffOutcome(
            external_reference=request.external_ticket_reference,
            external_url=request.external_ticket_url,
        )
    return None


def _audit_action(pending: PendingHandoff, outcome: HandoffOutcome) -> AuditActionId:
    if not outcome.succeeded:
        return AuditActionId.SUPPORT_REQUEST_EXTERNAL_HANDOFF_FAILED
    if pending.handoff_mode == LINK_EXISTING_TICKET:
        return AuditActionId.SUPPORT_REQUEST_EXTERNAL_TICKET_LINKED
    return AuditActionId.SUPPORT_REQUEST_EXTERNAL_TICKET_CREATED


def finalise_handoff(
    session: Session,
    pending: PendingHandoff,
    outcome: HandoffOutcome,
    actor_user_id: int | None,
) -> None:
    """Record ``outcome`` once and audit it; the caller commits (one transaction).

    ``actor_user_id`` is None when the app itself finalises (the stale-handoff sweep).
    """
    if pending.handoff_mode == INTERNAL_ONLY:
        raise HandoffAlreadyFinalised(pending.reference)
    if outcome.succeeded:
        values = {
            "external_ticket_reference": outcome.external_reference,
            "external_ticket_url": outcome.external_url,
        }
    else:
        failure = stored_failure(outcome)
        values = {
            "external_handoff_failure_summary": failure.failure_summary,
            "external_handoff_failure_kind": failure.failure_kind,
            "external_handoff_failure_params": failure.failure_params,
        }
    changed = session.execute(
        update(SupportRequest)
        .where(
            col(SupportRequest.id) == pending.request_id,
            col(SupportRequest.external_handoff_mode) != INTERNAL_ONLY,
            col(SupportRequest.external_ticket_reference).is_(None),
            col(SupportRequest.external_handoff_failure_summary).is_(None),
            col(SupportRequest.external_handoff_failure_kind).is_(None),
        )
        .values(**values)
    ).rowcount
    if changed != 1:
        raise HandoffAlreadyFinalised(pending.reference)
    metadata = {"reference": pending.reference, "handoff_mode": pending.handoff_mode}
    if outcome.succeeded:
        metadata["external_reference"] = outcome.external_reference
    else:
        metadata["failure_kind"] = values["external_handoff_failure_kind"]
        metadata["failure_summary"] = values["external_handoff_failure_summary"]
    WorkspaceAuditLogger(session).record(
        _audit_action(pending, outcome),
        workspace_id=pending.workspace_id,
        tenant_id=pending.tenant_id,
        actor_user_id=actor_user_id,
        subject_type="support_request",
        subject_id=pending.reference,
        metadata=metadata,
    )


def record_outcome(
    engine: Engine, pending: PendingHandoff, outcome: HandoffOutcome, user_id: int | None
) -> HandoffOutcome:
    """Record ``outcome`` in a transaction of its own; what the request now holds.

    If another finalisation won (the stale-handoff sweep of a worker that believed
    this process gone), the stored outcome is the truth to report. Database errors
    propagate: the caller decides whether to retry (``outcome_recording``).
    """
    with Session(engine) as session:
        try:
            finalise_handoff(session, pending, outcome, user_id)
            session.commit()
        except HandoffAlreadyFinalised:
            session.rollback()
            stored = recorded_outcome(session.get_one(SupportRequest, pending.request_id))
            if stored is None:
                raise
            return stored
    # Report exactly what was stored (redacted and bounded), not the raw text.
    return outcome if outcome.succeeded else stored_failure(outcome)
