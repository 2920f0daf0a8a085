"""``SupportRequestSubmissionService``: the one path that creates a support request.

Order (SPEC "Slice 1" and "Slice 2"):
1. resolve the context through the access rules (404 before anything else, then
   403 without ``support_requests.create``), so a forged event learns nothing and
   leaves nothing behind;
2. validate the form (field errors, nothing stored);
3. in one transaction: the immutable request (its summary and notes redacted by
   ``preview.stored_text``, as the dialog previewed them) with its context envelope
   and the ``support_request.created`` audit row — this commits before any handoff, so a
   failing desk can never lose the request;
4. the handoff, if one was asked for, with exactly one finalisation write of its
   outcome and its audit row: a link (no outbound call) is finalised in the
   transaction of step 3, so no crash can leave it pending; a create makes one call
   to the configured desk (hard total deadline) after that commit and is finalised
   after the call (or, if the process stops first, by the stale-handoff sweep).

Database work runs in worker threads and the desk call is awaited, so a slow desk
never blocks the event loop that serves other users.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from support_app import metrics
from support_app.canonical_json import canonical_json, pretty_json
from support_app.models import SupportRequest
from support_app.models.support_request import NOTES_MAX, SUMMARY_MAX
from support_app.services.access import AccessService, Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.capabilities import Capability
from support_app.services.redaction import CATALOGUE, redact_text
from support_app.services.support_desk.contract import (
    FailureParams,
    HandoffOutcome,
    OutboundTicket,
)
from support_app.services.support_desk.handoff import (
    ExternalSupportDeskHandoffService,
    unexpected_failure,
)
from support_app.services.support_requests.context import (
    SupportRequestContextBuilder,
    attachment_mode_for,
)
from support_app.services.support_requests.finalisation import (
    PendingHandoff,
    finalise_handoff,
    record_outcome,
    stored_failure,
)
from support_app.services.support_requests.form import (
    INTERNAL_ONLY,
    LINK_EXISTING_TICKET,
    SupportRequestForm,
    ValidatedSupportRequest,
    validate_support_request,
)
from support_app.services.support_requests.outcome_recording import keep_recording
from support_app.services.support_requests.preview import stored_text
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext, SupportScope

SUBJECT_MAX = 150
logger = logging.getLogger(__name__)


class SupportRequestNotStored(Exception):
    """The database failed before the request's transaction was committed: nothing
    was written, and submitting again is safe."""


class SupportRequestStorageUnknown(Exception):
    """The commit itself failed: the request may or may not be stored. ``reference``
    is what it would be found under."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


@dataclass(frozen=True)
class SubmissionResult:
    reference: str
    context_kind: str
    attachment_mode: str
    handoff_mode: str
    external_reference: str | None = None
    external_url: str | None = None
    failure_summary: str | None = None
    failure_kind: str | None = None
    failure_params: FailureParams = dataclasses.field(default_factory=dict)
    # False: the request is stored, the desk's answer is known but not written yet
    # (being retried); the screen says so instead of claiming the outcome is stored.
    outcome_recorded: bool = True

    @classmethod
    def of(
        cls,
        request: SupportRequest,
        outcome: HandoffOutcome | None = None,
        *,
        outcome_recorded: bool = True,
    ) -> SubmissionResult:
        """The result for a stored ``request`` and its handoff's ``outcome`` (None: an
        internal request, no handoff)."""
        result = cls(
            reference=request.reference,
            context_kind=request.primary_context_type,
            attachment_mode=request.attachment_mode,
            handoff_mode=request.external_handoff_mode,
            outcome_recorded=outcome_recorded,
        )
        if outcome is None:
            return result
        return dataclasses.replace(
            result,
            external_reference=outcome.external_reference,
            external_url=outcome.external_url,
            failure_summary=outcome.failure_summary,
            failure_kind=outcome.failure_kind,
            failure_params=dict(outcome.failure_params),
        )

    @property
    def handoff_failed(self) -> bool:
        return self.failure_summary is not None

    def as_display(self) -> dict[str, str]:
        """Plain strings for the dialog's success or partial-success state.

        ``failure_kind`` and ``failure_params`` (a canonical JSON object) let the
        dialog render the failure from the catalog in the reader's language.
        """
        return {
            "reference": self.reference,
            "attachment_mode": self.attachment_mode,
            "handoff_mode": self.handoff_mode,
            "external_reference": self.external_reference or "",
            "external_url": self.external_url or "",
            "failure_summary": self.failure_summary or "",
            "failure_kind": self.failure_kind or "",
            "failure_params": canonical_json(self.failure_params),
            "outcome_recorded": "yes" if self.outcome_recorded else "",
        }


@dataclass(frozen=True)
class _Created:
    request: SupportRequest
    validated: ValidatedSupportRequest
    linked: HandoffOutcome | None = None  # a link's outcome, stored with the request


def _linked(validated: ValidatedSupportRequest) -> HandoffOutcome:
    assert validated.linked_ticket is not None
    return HandoffOutcome(
        external_reference=validated.linked_ticket.external_reference,
        external_url=validated.linked_ticket.external_url,
    )


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


_DETECTORS = frozenset(detector.name for detector in CATALOGUE)


def _count_redactions(request: SupportRequest) -> None:
    """What the redactor removed from the stored request, by detector (``/metrics``)."""
    metrics.redactions_in(
        "\n".join(
            (
                canonical_json(request.context_envelope),
                request.summary,
                request.reproduction_notes or "",
            )
        ),
        _DETECTORS,
    )


class SupportRequestSubmissionService:
    def __init__(
        self, engine: Engine, handoff: ExternalSupportDeskHandoffService | None = None
    ) -> None:
        self._engine = engine
        self._handoff = handoff or ExternalSupportDeskHandoffService(None)

    async def submit(
        self,
        actor: Actor,
        context: SupportContext,
        form: SupportRequestForm,
        reference: str | None = None,
    ) -> SubmissionResult:
        """Create the request (and hand it off if asked); returns its references.

        ``reference``: the one to store it under, when the caller must be able to
        look it up should it never hear back (``in_flight``); a new one by default.
        Raises ``NotFound``/``Forbidden`` or ``SupportRequestValidationError`` before
        anything is stored. Desk failures do not raise: they are recorded on the
        request and returned in ``failure_summary``.
        """
        reference = reference or SupportRequestReference.generate()
        created = await asyncio.to_thread(self._create, actor, context, form, reference)
        request, validated = created.request, created.validated
        if validated.handoff_mode == INTERNAL_ONLY:
            return SubmissionResult.of(request)
        recorded = True
        if created.linked is not None:
            outcome = created.linked
        else:
            # Shielded: a browser that goes away mid-call must not leave the request
            # without its recorded outcome.
            outcome, recorded = await asyncio.shield(
                self._create_ticket_and_finalise(actor, request)
            )
        return SubmissionResult.of(request, outcome, outcome_recorded=recorded)

    def _create(
        self, actor: Actor, context: SupportContext, form: SupportRequestForm, reference: str
    ) -> _Created:
        """Store the request; a database failure says whether anything may be stored."""
        with Session(self._engine, expire_on_commit=False) as session:
            try:
                created = self._stage(session, actor, context, form, reference)
            except SQLAlchemyError as error:
                raise SupportRequestNotStored() from error
            try:
                session.commit()
            except SQLAlchemyError as error:
                raise SupportRequestStorageUnknown(created.request.reference) from error
            _count_redactions(created.request)
            return created

    def _stage(
        self,
        session: Session,
        actor: Actor,
        context: SupportContext,
        form: SupportRequestForm,
        reference: str,
    ) -> _Created:
        """Everything up to the commit: access, validation, the request, its audit row."""
        scope = context.authorize(AccessService(session), actor, Capability.SUPPORT_REQUESTS_CREATE)
        validated = validate_support_request(form, self._handoff)
        request = self._new_request(session, actor, scope, validated, reference)
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
        # Sent now, so a failing INSERT is known to have stored nothing; and the
        # request's id, for a link's finalisation.
        session.flush()
        linked = None
        if validated.handoff_mode == LINK_EXISTING_TICKET:
            linked = _linked(validated)
            finalise_handoff(session, PendingHandoff.of(request), linked, actor.user_id)
        return _Created(request, validated, linked)

    @staticmethod
    def _new_request(
        session: Session,
        actor: Actor,
        scope: SupportScope,
        validated: ValidatedSupportRequest,
        reference: str,
    ) -> SupportRequest:
        mode = attachment_mode_for(scope.tenant)
        return SupportRequest(
            workspace_id=scope.tenant.workspace_id,
            tenant_id=scope.tenant.tenant_id,
            reference=reference,
            primary_context_type=scope.kind,
            operation_run_id=scope.run.id if scope.run is not None else None,
            severity=validated.severity,
            # Stored redacted, exactly as the dialog's preview showed them.
            summary=stored_text(validated.summary, SUMMARY_MAX),
            reproduction_notes=(
                stored_text(validated.reproduction_notes, NOTES_MAX)
                if validated.reproduction_notes
                else None
            ),
            contact_name=validated.contact_name,
            contact_email=validated.contact_email,
            created_by_user_id=actor.user_id,
            attachment_mode=mode,
            context_envelope=SupportRequestContextBuilder(session).build(scope, mode),
            external_handoff_mode=validated.handoff_mode,
        )

    async def _create_ticket_and_finalise(
        self, actor: Actor, request: SupportRequest
    ) -> tuple[HandoffOutcome, bool]:
        """The desk's answer, and whether it is recorded yet.

        A known answer whose write fails (the database went away during the call) is
        handed to ``keep_recording`` and reported as not recorded yet: the request
        itself is stored, and the screen must say exactly that.
        """
        try:
            ticket = outbound_ticket(request)
        except Exception as error:  # the request is committed: record, never strand it
            outcome = unexpected_failure(request.reference, error)
        else:
            outcome = await self._handoff.create_ticket(ticket)
        pending = PendingHandoff.of(request)
        try:
            return (
                await asyncio.to_thread(
                    record_outcome, self._engine, pending, outcome, actor.user_id
                ),
                True,
            )
        except SQLAlchemyError as error:
            logger.error(
                "handoff outcome of %s not recorded (%s); retrying in the background",
                request.reference,
                type(error).__name__,
            )
            keep_recording(self._engine, pending, outcome, actor.user_id)
            return (outcome if outcome.succeeded else stored_failure(outcome)), False
