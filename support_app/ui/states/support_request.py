"""The "Request support" dialog and the "Open support diagnostics" view.

Thin on purpose: every handler re-resolves the actor from the session cookie and
the context (tenant or run) from the current URL through the services, which apply
the access rules. The browser's copy of flags such as ``can_request_support`` only
decides what is drawn, never what is allowed.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import Session

from support_app import routes
from support_app.canonical_json import pretty_json
from support_app.db import get_engine
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
from support_app.services.support_requests.context import attachment_mode_for
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.form import (
    INTERNAL_ONLY,
    SupportRequestForm,
    SupportRequestValidationError,
)
from support_app.services.support_requests.latest_handoff import (
    LatestHandoffSummaryService,
    latest_handoff_in,
)
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from support_app.ui.states.session import SessionState

# Upper bounds on what a browser may park in this state (the service validates the
# real limits and reports them as field errors; these only cap memory use).
_FIELD_CAPS = {
    "severity": 16,
    "summary": SUMMARY_MAX * 4,
    "reproduction_notes": NOTES_MAX * 2,
    "contact_name": CONTACT_NAME_MAX * 2,
    "contact_email": CONTACT_EMAIL_MAX * 2,
    "external_reference": EXTERNAL_REFERENCE_MAX * 4,
    "external_url": EXTERNAL_URL_MAX * 2,
}


def _handoff() -> ExternalSupportDeskHandoffService:
    return ExternalSupportDeskHandoffService.from_settings()


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
    handoff_mode: str = INTERNAL_ONLY
    default_contact_name: str = ""
    default_contact_email: str = ""
    errors: dict[str, str] = {}
    submitting: bool = False
    result: dict[str, str] = {}
    latest: dict[str, str] = {}

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

    @rx.event
    async def open_dialog(self):
        actor, context = await self._actor(), self._context()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if context is None:
            return
        locale = self.locale

        def _prepare():
            with Session(get_engine()) as session:
                access = AccessService(session)
                scope = context.resolve(access, actor)
                access.authorize(scope.tenant, Capability.SUPPORT_REQUESTS_CREATE)
                latest = latest_handoff_in(session, scope)
            tenant_name = scope.tenant.tenant_name
            if scope.run is None:
                title = tenant_name
            else:
                run_type = translate(locale, f"run.type.{scope.run.type}")
                title = f"{run_type} #{scope.run.id} · {tenant_name}"
            mode = attachment_mode_for(scope.tenant)
            return title, mode, latest.as_display() if latest else {}

        try:
            title, attachment_mode, latest = await asyncio.to_thread(_prepare)
        except (NotFound, Forbidden) as error:
            return rx.toast.error(translate(self.locale, _access_error_key(error)))
        self.context_kind = context.kind
        self.context_title = title
        self.attachment_mode = attachment_mode
        self.desk_available = _handoff().available
        self.handoff_mode = INTERNAL_ONLY
        self.default_contact_name, self.default_contact_email = actor.display_name, actor.email
        self.errors, self.result, self.latest = {}, {}, latest
        self.dialog_open = True

    @rx.event
    def close_on_page_load(self):
        """A (re)loaded page starts with the dialog closed and empty."""
        self.dialog_open, self.result, self.errors, self.latest = False, {}, {}, {}

    @rx.event
    def set_dialog_open(self, value: bool):
        if value is False and not self.submitting:
            self.dialog_open = False

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
        """Create the request; the desk call (up to 5 s) runs without the state lock.

        A background event holds this tab's state lock only for the short reads and
        writes below, so the tab stays responsive and, with Redis, the lock never
        comes near its expiry while the desk is slow.
        """
        async with self:
            if self.submitting or not self.dialog_open or not isinstance(form_data, dict):
                return
            actor, context = await self._actor(), self._context()
            if context is None:
                return
            if actor is None:
                self.dialog_open = False
            else:
                values = {n: str(form_data.get(n) or "")[:cap] for n, cap in _FIELD_CAPS.items()}
                form = SupportRequestForm(**values, handoff_mode=self.handoff_mode)
                locale = self.locale
                self.submitting, self.errors = True, {}
        if actor is None:  # the session expired while the dialog was open
            yield rx.redirect(routes.LOGIN)
            return

        service = SupportRequestSubmissionService(get_engine(), handoff=_handoff())
        result, latest, errors, denied = None, {}, {}, None
        try:
            result = await service.submit(actor, context, form)
            latest = await asyncio.to_thread(_latest_summary, actor, context)
        except SupportRequestValidationError as error:
            errors = dict(error.errors)
        except (NotFound, Forbidden) as error:
            denied = error
        finally:
            async with self:
                self.submitting, self.errors = False, errors
                if denied is not None:
                    self.dialog_open = False
                if result is not None:
                    self.result, self.latest = result.as_display(), latest

        if denied is not None:
            yield rx.toast.error(translate(locale, _access_error_key(denied)))
        elif result is not None:
            failed = result.handoff_failed
            key = "support.toast.handoff_failed" if failed else "support.toast.created"
            toast = rx.toast.warning if failed else rx.toast.success
            yield toast(translate(locale, key, reference=result.reference))


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
            bundle = await asyncio.to_thread(_bundle)
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
        self.diagnostics_open = False

    @rx.event
    def set_diagnostics_open(self, value: bool):
        if value is False:
            self.diagnostics_open = False


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


def _context_from(path: str) -> SupportContext | None:
    """The untrusted context named by the current page URL (resolved by the services)."""
    found = routes.support_context_from_path(path)
    return SupportContext(kind=found[0], raw_id=found[1]) if found else None


def _access_error_key(error: Exception) -> str:
    return "support.error.forbidden" if isinstance(error, Forbidden) else "support.error.not_found"
