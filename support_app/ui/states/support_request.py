"""The "Request support" dialog and the "Open support diagnostics" view.

Thin on purpose: every handler re-resolves the actor from the session cookie and
the context (tenant or run) through the services, which apply the access rules. The
browser's copy of flags such as ``can_request_support`` only decides what is drawn,
never what is allowed.

What you see is what you submit: ``open_dialog`` binds the context it resolved (and
showed) in backend-only vars, which no browser can read or set; ``submit`` uses
exactly that context, authorised again, and refuses if the page's URL now names
another one.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets

import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from support_app import routes
from support_app.canonical_json import pretty_json
from support_app.db import get_engine, read_in_thread
from support_app.i18n import failure_text, translate
from support_app.models.support_request import (
    CONTACT_EMAIL_MAX,
    CONTACT_NAME_MAX,
    EXTERNAL_REFERENCE_MAX,
    EXTERNAL_URL_MAX,
    HANDOFF_MODES,
    NOTES_MAX,
    SUMMARY_MAX,
)
from support_app.services.access import AccessService, Actor, Forbidden, NotFound
from support_app.services.capabilities import Capability
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.context import (
    SupportRequestContextBuilder,
    attachment_mode_for,
)
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.form import (
    INTERNAL_ONLY,
    SupportRequestForm,
    SupportRequestValidationError,
)
from support_app.services.support_requests.in_flight import (
    SubmitAttempt,
    running,
    settle_stored_attempt,
    watching,
)
from support_app.services.support_requests.latest_handoff import (
    LatestHandoffSummaryService,
    latest_handoff_in,
)
from support_app.services.support_requests.preview import (
    in_catalogue_order,
    preview_notes,
    preview_summary,
    readable_context,
)
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SubmissionResult,
    SupportRequestNotStored,
    SupportRequestStorageUnknown,
    SupportRequestSubmissionService,
)
from support_app.ui.states.event_errors import UNAVAILABLE_TOAST_ID, new_error_id
from support_app.ui.states.session import SessionState

logger = logging.getLogger(__name__)

# Upper bounds on the text a submission carries into validation (the service checks
# the real limits and reports them as field errors; these only cap memory use).
_FIELD_CAPS = {
    "severity": 16,
    "summary": SUMMARY_MAX * 4,
    "reproduction_notes": NOTES_MAX * 2,
    "contact_name": CONTACT_NAME_MAX * 2,
    "contact_email": CONTACT_EMAIL_MAX * 2,
    "external_reference": EXTERNAL_REFERENCE_MAX * 4,
    "external_url": EXTERNAL_URL_MAX * 2,
}


# How often a reconnected tab looks whether the worker running its submit still lives
# (a lease or /proc look-up: cheap); with a lease of 6 s, settled within about 8 s.
_SETTLE_POLL_S = 1.0
# After this long a submit says that it is taking longer than usual (a session read
# gives up at the read bound, 5 s by default; a write waits for its answer).
_SLOW_SUBMIT_S = 3.0


def _handoff() -> ExternalSupportDeskHandoffService:
    return ExternalSupportDeskHandoffService.from_settings()


def _answer_id() -> str:
    """A new id for a server answer the browser may be waiting for (``ui.client_state``):
    random, so that a fresh state (lost, replaced) never repeats an awaited one."""
    return secrets.token_hex(8)


def _latest_summary(actor: Actor, context: SupportContext) -> dict[str, str]:
    with Session(get_engine()) as session:
        summary = LatestHandoffSummaryService(session).for_context(actor, context)
    return summary.as_display() if summary else {}


class SupportRequestState(SessionState):
    dialog_open: bool = False
    context_kind: str = ""
    context_title: str = ""
    attachment_mode: str = ""
    desk_available: bool = False
    link_urls_accepted: bool = False
    handoff_mode: str = INTERNAL_ONLY
    errors: dict[str, str] = {}
    submitting: bool = False
    submit_slow: bool = False  # the submit takes longer than usual: said so in the dialog
    result: dict[str, str] = {}
    latest: dict[str, str] = {}
    # New with every answer to "Request support" and with every submit taken up: the
    # browser shows the dialog, or "Submitting…", from the click until they change
    # (``ui.client_state``).
    open_answer: str = rx.field(default_factory=_answer_id)
    submit_answer: str = rx.field(default_factory=_answer_id)
    # The context the open dialog shows and who opened it (backend-only: never sent
    # to the browser, no setter). Empty when no dialog is bound.
    _bound_kind: str = ""
    _bound_id: str = ""
    _bound_user_id: int = 0
    # The submit in flight (``in_flight.SubmitAttempt``), so that the worker a tab
    # lands on after its own died can tell what became of it. Empty when none is.
    _attempt_reference: str = ""
    _attempt_owner: str = ""
    _attempt_started: float = 0.0
    # Set when the dialog was opened or reopened on a lost state, until the page load
    # that Reflex queues with the resent state has run (``close_on_page_load``).
    _opened_on_lost_state: bool = False

    @rx.var
    def result_failure_text(self) -> str:
        """The just-submitted request's handoff failure, in the reader's language."""
        return _failure_text(self.locale, self.result)

    @rx.var
    def latest_failure_text(self) -> str:
        """The latest handoff's failure, in the reader's language."""
        return _failure_text(self.locale, self.latest)

    def _context(self) -> SupportContext | None:
        return _context_from(self.router.url.path)

    def _bound(self) -> SupportContext | None:
        return SupportContext(self._bound_kind, self._bound_id) if self._bound_kind else None

    def _unbind(self) -> None:
        self._bound_kind, self._bound_id, self._bound_user_id = "", "", 0

    def _attempt(self) -> SubmitAttempt | None:
        if not self._attempt_reference:
            return None
        return SubmitAttempt(self._attempt_reference, self._attempt_owner, self._attempt_started)

    def _set_attempt(self, attempt: SubmitAttempt | None) -> None:
        self._attempt_reference = attempt.reference if attempt else ""
        self._attempt_owner = attempt.owner if attempt else ""
        self._attempt_started = attempt.started_at if attempt else 0.0

    @rx.event
    async def open_dialog(self):
        """Bind and fill the dialog the browser has already opened at the click, or
        close it again (refused, signed out, not a page with a context).

        On a tab whose state was lost (Redis restarted, the state expired) this is
        the first event of a fresh state: Reflex resends the whole state and queues
        the page's load handlers to run right after it, and those would close the
        dialog this just opened: it flashed up and vanished before Submit could be
        clicked. So the dialog is marked to stay open through that one page load.
        A "temporarily unavailable" toast left from the outage is dismissed: the
        action works again, and the toast would cover the dialog's Submit.
        """
        self.open_answer = _answer_id()
        on_lost_state = not self.is_hydrated and not self._owner_session
        actor, context = await self._actor(), self._context()
        self._unbind()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if context is None:
            self.dialog_open = False
            return
        try:
            await self._bind_dialog(actor, context)
        except (NotFound, Forbidden) as error:
            self.dialog_open = False
            return rx.toast.error(translate(self.locale, _access_error_key(error)))
        self._opened_on_lost_state = on_lost_state
        return rx.toast.dismiss(UNAVAILABLE_TOAST_ID)

    async def _bind_dialog(self, actor: Actor, context: SupportContext) -> None:
        """Authorise ``context`` for ``actor``, bind it and open the dialog on it
        (raises ``NotFound``/``Forbidden`` as the access rules say)."""
        locale = self.locale

        def _prepare():
            with Session(get_engine()) as session:
                scope = context.authorize(
                    AccessService(session), actor, Capability.SUPPORT_REQUESTS_CREATE
                )
                latest = latest_handoff_in(session, scope)
            tenant_name = scope.tenant.tenant_name
            if scope.run is None:
                title = tenant_name
            else:
                run_type = translate(locale, f"run.type.{scope.run.type}")
                title = f"{run_type} #{scope.run.id} · {tenant_name}"
            mode = attachment_mode_for(scope.tenant)
            return title, mode, latest.as_display() if latest else {}

        title, attachment_mode, latest = await read_in_thread(_prepare)
        self._bound_kind, self._bound_id = context.kind, str(context.raw_id)
        self._bound_user_id = actor.user_id
        self.context_kind = context.kind
        self.context_title = title
        self.attachment_mode = attachment_mode
        desk = _handoff()
        self.desk_available, self.link_urls_accepted = desk.available, desk.accepts_link_urls
        self.handoff_mode = INTERNAL_ONLY
        self.errors, self.result, self.latest = {}, {}, latest
        self._clear_preview()
        self.submitting = False  # a submit whose last state write failed must not stick
        self.submit_slow = False
        self._set_attempt(None)
        self.dialog_open = True

    async def _reopen_after_state_loss(self, handoff_mode: object) -> bool:
        """The tab's server-side state vanished while its dialog was open (see
        ``dialog_recovery``): open it again on the page's context, for whoever the
        cookie names now and only if they may still request support there, as
        ``open_dialog`` does; a submit's form also says which handoff was chosen.
        Whether it was reopened."""
        actor, context = await self._actor(), self._context()
        if actor is None or context is None:
            return False
        try:
            await self._bind_dialog(actor, context)
        except (NotFound, Forbidden):
            return False
        if handoff_mode in HANDOFF_MODES:
            self.handoff_mode = str(handoff_mode)
        self._opened_on_lost_state = True
        return True

    @rx.event
    def close_on_page_load(self):
        """A (re)loaded page starts with the dialog closed, empty and unbound.

        Except where the operator is still using the dialog. Reflex runs the page's
        load handlers by itself on a tab whose state was lost, right after the event
        that found the loss opened the dialog (``open_dialog``) or reopened it
        (``_reopen_after_state_loss``); and on every socket
        reconnect (a network drop, the tab's worker died): then the dialog stays as it
        is (its typed text is still in the browser), and a submit in flight is either
        left to its live worker or settled here.
        """
        if self._opened_on_lost_state:
            self._opened_on_lost_state = False
            return None
        bound, resumed, self._resumed = self._bound(), self._resumed, False
        if resumed and self.dialog_open and bound and bound.same_as(self._context()):
            return SupportRequestState.settle_abandoned_submit if self.submitting else None
        self.dialog_open, self.result, self.errors, self.latest = False, {}, {}, {}
        self.submitting = self.submit_slow = False
        self._set_attempt(None)
        self._unbind()
        return None

    @rx.event(background=True)
    async def settle_abandoned_submit(self):
        """Tell the operator what became of a submit whose worker died: stored (its
        reference) or not sent (submit again; the text is still there).

        While the worker lives it finishes the submit itself; this only watches (a
        worker on another host counts as gone once its submit is overdue).
        """
        async with self:
            attempt = self._attempt()
        if attempt is None:
            return
        with watching(attempt.reference) as first:
            if first and await self._abandoned(attempt):
                async for update in self._settle(attempt):
                    yield update

    async def _abandoned(self, attempt: SubmitAttempt) -> bool:
        """Waits until ``attempt`` is abandoned (True) or settled by its worker (False)."""
        while True:
            async with self:
                if self._attempt_reference != attempt.reference or not self.submitting:
                    return False
            if await asyncio.to_thread(attempt.is_abandoned):
                return True
            await asyncio.sleep(_SETTLE_POLL_S)

    async def _settle(self, attempt: SubmitAttempt):
        """Look up what an abandoned attempt stored and show it."""
        locale, outcome = self.locale, _SubmitOutcome()
        try:
            signed_in = await self._signed_in()
            async with self:
                actor = await self._adopt(signed_in)
            if actor is None:
                outcome.signed_out = True
            else:
                stored = await asyncio.to_thread(
                    settle_stored_attempt, get_engine(), actor, attempt.reference
                )
                if stored is None:
                    outcome.errors = {"form": "support.error.not_sent"}
                    outcome.toast = rx.toast.error(translate(locale, "support.error.not_sent"))
                else:
                    outcome.result = stored.as_display()
                    outcome.toast = _stored_toast(locale, stored)
        except SQLAlchemyError:
            outcome.errors = {"form": "support.error.storage_unknown"}
            outcome.toast = _storage_unknown_toast(locale, attempt.reference)
        async with self:
            if self._attempt_reference != attempt.reference:
                return  # settled meanwhile
            self._show(outcome)
        if announcement := outcome.announcement():
            yield announcement

    @rx.event
    def set_dialog_open(self, value: bool):
        """Closing ends the binding and empties what the dialog showed, so the next
        open (drawn at the click, before the server answers) starts from nothing."""
        if value is False and not self.submitting:
            self.dialog_open = False
            self.result, self.errors, self.latest = {}, {}, {}
            self.handoff_mode = INTERNAL_ONLY
            self._clear_preview()
            self._unbind()

    @rx.event
    def set_handoff_mode(self, mode: str):
        if mode in HANDOFF_MODES:
            self.handoff_mode = mode
            self.errors = {}

    @rx.event
    def start_new_request(self):
        self.result, self.errors, self.handoff_mode = {}, {}, INTERNAL_ONLY

    @rx.event(background=True)
    async def submit(self, form_data: dict):
        """Create the request; no database or desk I/O while the state lock is held.

        The first lock only flips ``submitting`` (the button answers at once, even
        while the database is slow); the session is resolved and the request stored
        outside the lock, and the lock is taken again only to show the outcome. The
        flag is cleared on every path (and by ``open_dialog`` and page loads, should
        even that last write fail). A committed request is always reported with its
        reference; a failure says what is known about what was stored.
        """
        attempt = SubmitAttempt.start()
        async with self:
            self.submit_answer = _answer_id()
            if self.submitting or not self.dialog_open:
                return
            self.submitting, self.errors = True, {}
            self._set_attempt(attempt)
        # Which worker runs which reference: what an operator needs after a crash.
        logger.info("support request submit started: %s", attempt.reference)
        with running(attempt):
            async for update in self._submit(form_data, attempt):
                yield update

    async def _submit(self, form_data: dict, attempt: SubmitAttempt):
        """``submit``'s work, while this process is known to be running ``attempt``."""
        async with self._telling_if_slow(attempt):
            outcome = await self._outcome_of(form_data, attempt)
        try:
            async with self:
                # Unless the tab moved on meanwhile (a new dialog; the attempt settled).
                if self._attempt_reference == attempt.reference:
                    self._show(outcome)
        except Exception as error:
            logger.error("submit outcome not written to the tab's state: %s", type(error).__name__)
            if outcome.toast is None:
                raise
        if announcement := outcome.announcement():
            yield announcement

    async def _outcome_of(self, form_data: dict, attempt: SubmitAttempt) -> _SubmitOutcome:
        """Resolve the actor, check the dialog's binding, store; what happened."""
        locale, outcome = self.locale, _SubmitOutcome()
        try:
            try:
                signed_in = await self._signed_in()
            except SQLAlchemyError as error:  # before anything could be stored
                raise SupportRequestNotStored() from error
            async with self:
                actor = await self._adopt(signed_in)
                context = self._bound()
                refusal = _refusal(actor, context, self._bound_user_id, self._context(), form_data)
                handoff_mode = self.handoff_mode
            if actor is None:  # the session ended while the dialog was open
                outcome.signed_out = True
            elif refusal is not None:
                logger.warning(
                    "support request submit refused (%s) for user %s", refusal, actor.user_id
                )
                outcome.errors = {"form": refusal}
                outcome.toast = rx.toast.error(translate(locale, refusal))
            else:
                assert context is not None and isinstance(form_data, dict)
                form = SupportRequestForm(
                    **{n: _capped(form_data.get(n), cap) for n, cap in _FIELD_CAPS.items()},
                    handoff_mode=handoff_mode,
                )
                await _store(outcome, actor, context, form, locale, attempt.reference)
        except SupportRequestNotStored:
            outcome.errors = {"form": "support.error.not_stored"}
            outcome.toast = rx.toast.error(translate(locale, "support.error.not_stored"))
        except Exception as error:
            error_id = new_error_id()
            logger.error("support request submit failed [error %s]", error_id, exc_info=error)
            outcome.errors = {"form": "support.error.outcome_unknown"}
            outcome.toast = rx.toast.error(
                translate(locale, "support.toast.outcome_unknown", reference=error_id)
            )
        return outcome

    @contextlib.asynccontextmanager
    async def _telling_if_slow(self, attempt: SubmitAttempt):
        """Says in the dialog when the work inside takes longer than usual (a frozen
        database keeps a statement already sent waiting until it thaws: the operator is
        told rather than left guessing). The notice is written before the block ends or
        not at all, so the outcome shown next always clears it."""
        done = asyncio.Event()

        async def notice() -> None:
            try:
                await asyncio.wait_for(done.wait(), timeout=_SLOW_SUBMIT_S)
            except TimeoutError:
                async with self:
                    if self._attempt_reference == attempt.reference:
                        self.submit_slow = True

        task = asyncio.create_task(notice())
        try:
            yield
        finally:
            done.set()
            await asyncio.gather(task, return_exceptions=True)

    def _show(self, outcome: _SubmitOutcome) -> None:
        self._set_attempt(None)
        self.submitting, self.submit_slow, self.errors = False, False, outcome.errors
        if outcome.signed_out or outcome.denied:
            self.dialog_open = False
            self._unbind()
        if outcome.result is not None:
            self.result = outcome.result
        if outcome.latest is not None:
            self.latest = outcome.latest

    # --- the preview of what will be stored and sent (issue 16) -----------------------
    # Only the redacted texts are kept: the raw ones stay in the browser's inputs.
    preview_summary: str = ""
    preview_notes: str = ""
    removed_from_summary: dict[str, int] = {}
    removed_from_notes: dict[str, int] = {}
    context_rows: list[dict[str, str]] = []

    def _clear_preview(self) -> None:
        self.preview_summary, self.preview_notes = "", ""
        self.removed_from_summary, self.removed_from_notes, self.context_rows = {}, {}, []

    @rx.var
    def preview_removed_text(self) -> str:
        """What redaction removed from summary and notes, in the reader's language."""
        return _removed_line(self.locale, self.removed_from_summary, self.removed_from_notes)

    @rx.event
    async def preview_summary_typed(self, value: str):
        """The summary as it will be stored (debounced in the browser; redacted in a
        worker thread, so a long paste never holds up the event loop)."""
        if isinstance(value, str) and self._bound() is not None:
            shown = await asyncio.to_thread(preview_summary, value[: _FIELD_CAPS["summary"]])
            self.preview_summary, self.removed_from_summary = shown.text, shown.removed

    @rx.event
    async def preview_notes_typed(self, value: str):
        """The notes as they will be stored (as ``preview_summary_typed``)."""
        if isinstance(value, str) and self._bound() is not None:
            notes = value[: _FIELD_CAPS["reproduction_notes"]]
            shown = await asyncio.to_thread(preview_notes, notes)
            self.preview_notes, self.removed_from_notes = shown.text, shown.removed

    @rx.event(background=True)
    async def load_preview(self):
        """The bound context's envelope laid out for reading (the dialog's preview
        mounts with the server's answer to the open, which emptied the rest).

        Built by the same builder the submission stores it with; access is checked
        again, for whoever opened the dialog. A background event, with its database
        reads outside the state lock, as ``submit``'s: the dialog is drawn at the
        click, so the operator may type and submit while this still waits for a
        database that does not answer, and a lock held that long kept the submit's
        "taking longer than usual" (and every keystroke's preview) waiting behind it.
        """
        async with self:
            self.context_rows = []
            binding = self._bound(), self._bound_user_id
        context, bound_user_id = binding
        if context is None:
            return
        signed_in = await self._signed_in()
        async with self:
            actor = await self._adopt(signed_in)
        if actor is None or actor.user_id != bound_user_id:
            return

        def _rows() -> list[dict[str, str]]:
            with Session(get_engine()) as session:
                scope = context.authorize(
                    AccessService(session), actor, Capability.SUPPORT_REQUESTS_CREATE
                )
                envelope = SupportRequestContextBuilder(session).build(
                    scope, attachment_mode_for(scope.tenant)
                )
            return [dataclasses.asdict(row) for row in readable_context(envelope)]

        try:
            rows = await read_in_thread(_rows)
        except (NotFound, Forbidden):
            rows = []
        async with self:
            if (self._bound(), self._bound_user_id) == binding:  # still the same dialog
                self.context_rows = rows


def _removed_line(locale: str, *removed: dict[str, int]) -> str:
    """ "Removed before storing: 1 password, 1 Teams webhook." (or: nothing removed)."""
    counts = in_catalogue_order(*removed)
    if not counts:
        return translate(locale, "support.preview.nothing_removed")
    items = ", ".join(
        translate(locale, f"redaction.detector.{name}.{'one' if n == 1 else 'other'}", count=n)
        for name, n in counts.items()
    )
    return translate(locale, "support.preview.removed", items=items)


@dataclasses.dataclass
class _SubmitOutcome:
    """What one submit ended with, gathered outside the state lock."""

    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    result: dict[str, str] | None = None
    latest: dict[str, str] | None = None
    toast: EventSpec | None = None
    denied: bool = False
    signed_out: bool = False

    def announcement(self) -> EventSpec | None:
        """What the tab is told once the outcome is shown: sign in again, or a toast."""
        return rx.redirect(routes.LOGIN) if self.signed_out else self.toast


async def _store(
    outcome: _SubmitOutcome,
    actor: Actor,
    context: SupportContext,
    form: SupportRequestForm,
    locale: str,
    reference: str,
) -> None:
    """Submit through the service and translate what happened for the screen
    (``SupportRequestNotStored`` is left to the caller, which also raises it)."""
    service = SupportRequestSubmissionService(get_engine(), handoff=_handoff())
    try:
        result = await service.submit(actor, context, form, reference)
    except SupportRequestValidationError as error:
        outcome.errors = dict(error.errors)
        return
    except (NotFound, Forbidden) as error:
        outcome.denied = True
        outcome.toast = rx.toast.error(translate(locale, _access_error_key(error)))
        return
    except SupportRequestStorageUnknown as unknown:
        outcome.errors = {"form": "support.error.storage_unknown"}
        outcome.toast = _storage_unknown_toast(locale, unknown.reference)
        return
    # Stored: from here on the operator sees the reference, whatever else fails.
    outcome.result = result.as_display()
    outcome.toast = _stored_toast(locale, result)
    if result.handoff_mode != INTERNAL_ONLY:
        # An internal request leaves the latest handoff as the dialog shows it.
        try:
            outcome.latest = await read_in_thread(_latest_summary, actor, context)
        except SQLAlchemyError:
            logger.warning("latest handoff not refreshed after %s", result.reference)


def _storage_unknown_toast(locale: str, reference: str) -> EventSpec:
    """May or may not be stored: the reference to look for stays on screen until closed."""
    return rx.toast.warning(
        translate(locale, "support.toast.storage_unknown", reference=reference),
        duration=60_000,
        close_button=True,
    )


def _stored_toast(locale: str, result: SubmissionResult) -> EventSpec:
    """The notification for a stored request: its reference, and what is known of
    its handoff."""
    if not result.outcome_recorded:
        key, toast = "support.toast.outcome_not_recorded", rx.toast.warning
    elif result.handoff_failed:
        key, toast = "support.toast.handoff_failed", rx.toast.warning
    else:
        key, toast = "support.toast.created", rx.toast.success
    return toast(translate(locale, key, reference=result.reference))


class DiagnosticsState(SessionState):
    """The "Open support diagnostics" view: the bundle, laid out for reading."""

    diagnostics_open: bool = False
    run: dict[str, str] = {}
    connections: list[dict[str, str]] = []
    runs: list[dict[str, str]] = []
    findings: list[dict[str, str]] = []
    review: dict[str, str] = {}
    report: dict[str, str] = {}
    audit_actions: list[dict[str, str]] = []
    bundle_json: str = ""

    @rx.event
    async def open_view(self):
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        context = _context_from(self.router.url.path)
        if context is None:
            return

        def _bundle() -> dict:
            with Session(get_engine()) as session:
                return SupportDiagnosticsService(session).bundle_for(actor, context)

        try:
            bundle = await read_in_thread(_bundle)
        except (NotFound, Forbidden) as error:
            return rx.toast.error(translate(self.locale, _access_error_key(error)))
        self.run = _strings(bundle["operation_run"]) if "operation_run" in bundle else {}
        self.connections = [_strings(c) for c in bundle["provider_connections"]]
        self.runs = [_strings(r) for r in bundle["recent_operation_runs"]]
        self.findings = [
            {"severity": s, "count": str(n)}
            for s, n in reversed(bundle["open_findings_by_severity"].items())
        ]
        self.review = _strings(bundle["latest_review"])
        self.report = _strings(bundle["latest_report"])
        self.audit_actions = [_strings(a) for a in bundle["recent_audit_actions"]]
        self.bundle_json = pretty_json(bundle)
        self.diagnostics_open = True

    @rx.event
    def close_on_page_load(self):
        self.reset()

    @rx.event
    def set_diagnostics_open(self, value: bool):
        """Closing the view drops the bundle: it stays in state only while shown."""
        if value is False:
            self.reset()


def _failure_text(locale: str, display: dict[str, str]) -> str:
    """Contract 1: ``failure_kind`` + ``failure_params`` rendered, else the stored line."""
    return failure_text(
        locale,
        display.get("failure_kind", ""),
        display.get("failure_params", "{}"),
        display.get("failure_summary", ""),
    )


def _display_time(value: object) -> str:
    """``2026-11-25T04:17:42Z`` → ``2026-11-25 04:17 UTC``, as on the pages."""
    text = str(value or "")
    return f"{text[:10]} {text[11:16]} UTC" if len(text) >= 16 else text


def _strings(record: dict) -> dict[str, str]:
    """A bundle record as display strings; timestamps in the pages' format."""
    return {
        key: _display_time(value) if key.endswith("_at") else ("" if value is None else str(value))
        for key, value in record.items()
    }


def _capped(value: object, cap: int) -> object:
    """Text is cut to ``cap`` (validation still sees it is too long); anything else is
    passed on untouched so that validation reports it as the wrong type."""
    if value is None:
        return ""
    return value[:cap] if isinstance(value, str) else value


def _refusal(
    actor: Actor | None,
    bound: SupportContext | None,
    bound_user_id: int,
    current: SupportContext | None,
    form_data: object,
) -> str | None:
    """Why a submit is refused before any service is called (an i18n key), or None.

    The form must be an object of fields, and it must be submitted by whoever opened
    the dialog, on the page whose context the dialog bound and showed.
    """
    if actor is None:
        return None
    if not isinstance(form_data, dict):
        return "support.error.malformed"
    if bound is None or actor.user_id != bound_user_id or not bound.same_as(current):
        return "support.error.context_changed"
    return None


def _context_from(path: str) -> SupportContext | None:
    """The untrusted context named by the current page URL (resolved by the services)."""
    found = routes.support_context_from_path(path)
    return SupportContext(kind=found[0], raw_id=found[1]) if found else None


def _access_error_key(error: Exception) -> str:
    return "support.error.forbidden" if isinstance(error, Forbidden) else "support.error.not_found"
