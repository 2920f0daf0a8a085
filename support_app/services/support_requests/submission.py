"""``SupportRequestSubmissionService``: the one path that creates a support request.

Order (SPEC "Slice 1" and "Slice 2"):
1. resolve the context through the access rules (404 before anything else, then
   403 without ``support_requests.create``), so a forged event learns nothing and
   leaves nothing behind;
2. validate the form (field errors, nothing stored);
3. in one transaction: the immutable request with its context envelope and the
   ``support_request.created`` audit row — this commits before any handoff, so a
   failing desk can never lose the request;
4. the handoff, if one was asked for: link (no outbound call) or create (one call
   to the configured desk, hard total deadline);
5. exactly one finalisation write of the outcome, with its audit row.

Database work runs in worker threads and the desk call is awaited, so a slow desk
never blocks the event loop that serves other users.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app.canonical_json import pretty_json
from support_app.models import SupportRequest
from support_app.services.access import AccessService, Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.capabilities import Capability
from support_app.services.redaction import redact_text
from support_app.services.support_desk.contract import HandoffOutcome, OutboundTicket
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.context import (
    SupportRequestContextBuilder,
    attachment_mode_for,
)
from support_app.services.support_requests.finalisation import (
    PendingHandoff,
    bounded_failure_summary,
    finalise_handoff,
)
from support_app.services.support_requests.form import (
    CREATE_EXTERNAL_TICKET,
    INTERNAL_ONLY,
    SupportRequestForm,
    ValidatedSupportRequest,
    validate_support_request,
)
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext, SupportScope

SUBJECT_MAX = 150


@dataclass(frozen=True)
class SubmissionResult:
    reference: str
    context_kind: str
    attachment_mode: str
    handoff_mode: str
    external_reference: str | None = None
    external_url: str | None = None
    failure_summary: str | None = None

    @property
    def handoff_failed(self) -> bool:
        return self.failure_summary is not None

    def as_display(self) -> dict[str, str]:
        """Plain strings for the dialog's success or partial-success state."""
        return {
            "reference": self.reference,
            "attachment_mode": self.attachment_mode,
            "handoff_mode": self.handoff_mode,
            "external_reference": self.external_reference or "",
            "external_url": self.external_url or "",
            "failure_summary": self.failure_summary or "",
        }


@dataclass(frozen=True)
class _Created:
    request: SupportRequest
    validated: ValidatedSupportRequest
    scope_kind: str


def outbound_ticket(request: SupportRequest) -> OutboundTicket:
    """The desk ticket, built only from what the request stored (already redacted)."""
    summary = redact_text(request.summary)
    subject = f"[{request.reference}] {summary}"
    lines = [
        f"Support reference: {request.reference}",
        f"Severity: {request.severity}",
        f"Context: {request.primary_context_type}"
        + (f" #{request.operation_run_id}" if request.operation_run_id else ""),
        f"Summary: {summary}",
    ]
    if request.reproduction_notes:
        lines += ["", "Reproduction notes:", redact_text(request.reproduction_notes)]
    if request.contact_name or request.contact_email:
        contact = " ".join(p for p in (request.contact_name, request.contact_email) if p)
        lines += ["", f"Contact: {contact}"]
    lines += ["", "Context envelope (redacted):", pretty_json(request.context_envelope)]
    return OutboundTicket(
        support_reference=request.reference,
        subject=subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…",
        body="\n".join(lines),
        severity=request.severity,
        tags=(
            "support_request",
            f"context_{request.primary_context_type}",
            f"severity_{request.severity}",
        ),
    )


class SupportRequestSubmissionService:
    def __init__(
        self, engine: Engine, handoff: ExternalSupportDeskHandoffService | None = None
    ) -> None:
        self._engine = engine
        self._handoff = handoff or ExternalSupportDeskHandoffService(None)

    async def submit(
        self, actor: Actor, context: SupportContext, form: SupportRequestForm
    ) -> SubmissionResult:
        """Create the request (and hand it off if asked); returns its references.

        Raises ``NotFound``/``Forbidden`` or ``SupportRequestValidationError`` before
        anything is stored. Desk failures do not raise: they are recorded on the
        request and returned in ``failure_summary``.
        """
        created = await asyncio.to_thread(self._create, actor, context, form)
        request, validated = created.request, created.validated
        result = SubmissionResult(
            reference=request.reference,
            context_kind=created.scope_kind,
            attachment_mode=request.attachment_mode,
            handoff_mode=request.external_handoff_mode,
        )
        if validated.handoff_mode == INTERNAL_ONLY:
            return result
        # Shielded: a browser that goes away mid-call must not leave the request
        # without its recorded outcome.
        outcome = await asyncio.shield(self._hand_off_and_finalise(actor, request, validated))
        return dataclasses.replace(
            result,
            external_reference=outcome.external_reference,
            external_url=outcome.external_url,
            failure_summary=outcome.failure_summary,
        )

    def _create(self, actor: Actor, context: SupportContext, form: SupportRequestForm) -> _Created:
        with Session(self._engine, expire_on_commit=False) as session:
            scope = context.authorize(
                AccessService(session), actor, Capability.SUPPORT_REQUESTS_CREATE
            )
            validated = validate_support_request(form, self._handoff)
            request = self._new_request(session, actor, scope, validated)
            session.add(request)
            WorkspaceAuditLogger(session).record(
                AuditActionId.SUPPORT_REQUEST_CREATED,
                workspace_id=scope.tenant.workspace_id,
                tenant_id=scope.tenant.tenant_id,
                actor_user_id=actor.user_id,
                subject_type="support_request",
                subject_id=request.reference,
                metadata={
                    "reference": request.reference,
                    "severity": request.severity,
                    "context_type": scope.kind,
                    "operation_run_id": request.operation_run_id,
                    "attachment_mode": request.attachment_mode,
                    "handoff_mode": request.external_handoff_mode,
                },
            )
            session.commit()
            return _Created(request=request, validated=validated, scope_kind=scope.kind)

    @staticmethod
    def _new_request(
        session: Session, actor: Actor, scope: SupportScope, validated: ValidatedSupportRequest
    ) -> SupportRequest:
        mode = attachment_mode_for(scope.tenant)
        return SupportRequest(
            workspace_id=scope.tenant.workspace_id,
            tenant_id=scope.tenant.tenant_id,
            reference=SupportRequestReference.generate(),
            primary_context_type=scope.kind,
            operation_run_id=scope.run.id if scope.run is not None else None,
            severity=validated.severity,
            summary=validated.summary,
            reproduction_notes=validated.reproduction_notes,
            contact_name=validated.contact_name,
            contact_email=validated.contact_email,
            created_by_user_id=actor.user_id,
            attachment_mode=mode,
            context_envelope=SupportRequestContextBuilder(session).build(scope, mode),
            external_handoff_mode=validated.handoff_mode,
        )

    async def _hand_off_and_finalise(
        self, actor: Actor, request: SupportRequest, validated: ValidatedSupportRequest
    ) -> HandoffOutcome:
        if validated.handoff_mode == CREATE_EXTERNAL_TICKET:
            outcome = await self._handoff.create_ticket(outbound_ticket(request))
        else:
            assert validated.linked_ticket is not None
            outcome = HandoffOutcome(
                external_reference=validated.linked_ticket.external_reference,
                external_url=validated.linked_ticket.external_url,
            )
        pending = PendingHandoff(
            request_id=request.id,
            reference=request.reference,
            workspace_id=request.workspace_id,
            tenant_id=request.tenant_id,
            handoff_mode=request.external_handoff_mode,
        )
        await asyncio.to_thread(self._finalise, pending, outcome, actor.user_id)
        if outcome.succeeded:
            return outcome
        # Report exactly what was stored (redacted and bounded), not the raw text.
        return HandoffOutcome(
            failure_summary=bounded_failure_summary(outcome.failure_summary or ""),
            failure_kind=outcome.failure_kind,
        )

    def _finalise(self, pending: PendingHandoff, outcome: HandoffOutcome, user_id: int) -> None:
        with Session(self._engine) as session:
            finalise_handoff(session, pending, outcome, user_id)
            session.commit()
