"""The support-request history pages (tenant, workspace) and a request's detail page.

Thin: every event resolves the actor from the session and the scope from the page's
URL (a forged event may claim any URL; the services answer it by the access rules)
and calls the history or redaction service. The list's cursors and the reference a
redaction applies to live only on the server (backend-only vars, or the URL itself),
never in anything the browser can set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from support_app import routes
from support_app.canonical_json import canonical_json, pretty_json
from support_app.db import get_engine, read_in_thread
from support_app.i18n import failure_text, translate
from support_app.models.support_request import SEVERITIES
from support_app.services.access import Actor, Forbidden, NotFound
from support_app.services.dashboard import format_time
from support_app.services.support_requests.history import (
    CONTEXT_FILTERS,
    OUTCOMES,
    AuditEntry,
    HistoryFilters,
    HistoryRow,
    SupportRequestDetail,
    SupportRequestHistoryService,
    TenantHistory,
    WorkspaceHistory,
)
from support_app.services.support_requests.manual_redaction import (
    MAX_LENGTH,
    RedactionNotApplied,
    RedactionRefused,
    SupportRequestRedactionService,
)
from support_app.settings import get_settings
from support_app.ui.states.event_errors import new_error_id
from support_app.ui.states.pages import PageLoadState
from support_app.ui.states.session import SessionState

logger = logging.getLogger(__name__)

ALL = "all"  # the select's "no filter" value (a select item cannot have "")


def row_display(row: HistoryRow) -> dict[str, str]:
    """One request as display strings; the failure stays kind + params + stored line,
    so the page renders it in the reader's language."""
    run = row.operation_run_id
    return {
        "reference": row.reference,
        "href": routes.support_request(row.reference),
        "created": format_time(row.created_at),
        "created_by": row.created_by,
        "tenant_name": row.tenant_name,
        "tenant_href": routes.tenant_dashboard(row.tenant_id),
        "context_kind": row.context_kind,
        "run_id": "" if run is None else str(run),
        "run_href": "" if run is None else routes.operation_run(run),
        "severity": row.severity,
        "summary": row.summary,
        "outcome": row.outcome,
        "external_reference": row.external_reference or "",
        "external_url": row.external_url or "",
        "failure_summary": row.failure_summary or "",
        "failure_kind": row.failure_kind or "",
        "failure_params": canonical_json(row.failure_params),
        "erased": "" if row.erased_at is None else format_time(row.erased_at),
        "erasure_reason": row.erasure_reason,
    }


def with_failure_text(locale: str, row: dict[str, str]) -> dict[str, str]:
    if row.get("outcome") != "failed":
        return {**row, "failure_text": ""}
    text = failure_text(locale, row["failure_kind"], row["failure_params"], row["failure_summary"])
    return {**row, "failure_text": text}


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    return value if isinstance(value, str) and value in allowed else ALL


@dataclass(frozen=True)
class HistoryQuery:
    """What one read of a history list needs, taken from the tab while it is locked."""

    kind: str  # "tenant" | "workspace"
    raw_id: str  # from the URL: untrusted, resolved by the service
    filters: HistoryFilters
    cursor: str


# Where a list is: its filters and the cursor of every page shown so far.
_Position = tuple[str, str, str, bool, tuple[str, ...]]


class SupportHistoryState(PageLoadState, SessionState):
    """``/tenants/<id>/support-requests`` and ``/workspaces/<id>/support-requests``.

    The load is ``PageLoadState``'s (an error with Retry and retries by itself, never
    an empty list, while the database is down). A filter or page change is a
    background event, read while the tab's state is not locked; the newest read of
    the tab wins. One that fails changes nothing: the list, its filters and its page
    stay as shown, and the page says the list was not updated.
    """

    loaded: bool = False
    not_found: bool = False
    scope_kind: str = ""  # "tenant" | "workspace"
    title: str = ""
    workspace_name: str = ""
    tenant_href: str = ""
    tenant_id: str = ""  # the tenant page's tenant, as resolved (offboarding's target)
    can_offboard: bool = False
    run_id: str = ""  # the run the tenant history is narrowed to ("" none)
    run_href: str = ""
    outcome: str = ALL
    severity: str = ALL
    context: str = ALL
    mine: bool = False
    rows: list[dict[str, str]] = []
    page_number: int = 1
    has_next: bool = False
    updating: bool = False  # a filter or page change is being read
    not_updated: bool = False  # the last change could not be read: the list is as it was
    # The cursor of every page shown so far (page 1: ""), and of the next page.
    _cursors: list[str] = []
    _next_cursor: str = ""
    # The filters and pages of the list on screen, to go back to when a change fails.
    _shown: list = []

    @rx.var
    def display_rows(self) -> list[dict[str, str]]:
        return [with_failure_text(self.locale, row) for row in self.rows]

    def _begin_load(self) -> None:
        self.loaded = self.not_found = self.updating = self.not_updated = False
        self.outcome = self.severity = self.context = ALL
        self.mine = False
        self.run_id = self.router.url.query_parameters.get(routes.RUN_FILTER_PARAMETER, "")
        self._cursors = [""]

    def _query(self) -> HistoryQuery:
        scope = routes.history_scope_from_path(self.router.url.path)
        kind, raw_id = scope if scope else ("tenant", "")
        filters = HistoryFilters(
            outcome="" if self.outcome == ALL else self.outcome,
            severity="" if self.severity == ALL else self.severity,
            context="" if self.context == ALL else self.context,
            run_id=self.run_id or None,
            created_by_me=self.mine,
        )
        return HistoryQuery(kind, raw_id, filters, (self._cursors or [""])[-1])

    def _read(self, actor: Actor, query: HistoryQuery) -> TenantHistory | WorkspaceHistory | None:
        with Session(get_engine()) as session:
            service = SupportRequestHistoryService(session)
            read = service.for_workspace if query.kind == "workspace" else service.for_tenant
            try:
                return read(actor, query.raw_id, query.filters, query.cursor)
            except NotFound:
                return None

    def _show(self, history: TenantHistory | WorkspaceHistory | None) -> None:
        if history is None:
            self.not_found, self.loaded, self.rows = True, False, []
            return
        if isinstance(history, WorkspaceHistory):
            self.scope_kind, self.title = "workspace", history.workspace_name
            self.workspace_name, self.tenant_href, self.run_href = history.workspace_name, "", ""
            self.tenant_id, self.can_offboard = "", False
        else:
            tenant = history.tenant
            self.scope_kind = "tenant"
            self.title, self.workspace_name = tenant.tenant_name, tenant.workspace_name
            self.tenant_href = routes.tenant_dashboard(tenant.tenant_id)
            self.tenant_id, self.can_offboard = str(tenant.tenant_id), history.can_erase_data
            self.run_href = routes.operation_run(self.run_id) if self.run_id else ""
        self.rows = [row_display(row) for row in history.page.rows]
        self._next_cursor = history.page.next_cursor
        self.has_next = bool(history.page.next_cursor)
        self.page_number = len(self._cursors)
        self.not_found, self.loaded = False, True
        self._shown = list(self._position())

    def _position(self) -> _Position:
        return (self.outcome, self.severity, self.context, self.mine, tuple(self._cursors))

    def _go_back_to(self, position: _Position) -> None:
        self.outcome, self.severity, self.context, self.mine, cursors = position
        self._cursors = list(cursors)

    @rx.event(background=True)
    async def set_outcome(self, value: str):
        outcome = _choice(value, OUTCOMES)
        return await self._change_list(lambda: self._filtered(outcome=outcome))

    @rx.event(background=True)
    async def set_severity(self, value: str):
        severity = _choice(value, SEVERITIES)
        return await self._change_list(lambda: self._filtered(severity=severity))

    @rx.event(background=True)
    async def set_context(self, value: str):
        context = _choice(value, CONTEXT_FILTERS)
        return await self._change_list(lambda: self._filtered(context=context))

    @rx.event(background=True)
    async def set_mine(self, value: bool):
        mine = value is True
        return await self._change_list(lambda: self._filtered(mine=mine))

    @rx.event(background=True)
    async def next_page(self):
        return await self._change_list(self._paged_forward)

    @rx.event(background=True)
    async def previous_page(self):
        return await self._change_list(self._paged_back)

    def _filtered(self, **filters: Any) -> bool:
        for name, value in filters.items():
            setattr(self, name, value)
        self._cursors = [""]
        return True

    def _paged_forward(self) -> bool:
        # A second click before the next page arrived would name the same page again.
        if not self._next_cursor or self._next_cursor in self._cursors:
            return False
        self._cursors = [*self._cursors, self._next_cursor]
        return True

    def _paged_back(self) -> bool:
        if len(self._cursors) <= 1:
            return False
        self._cursors = self._cursors[:-1]
        return True

    async def _change_list(self, change: Callable[[], bool]) -> EventSpec | None:
        """Apply ``change`` (False: nothing to do) and show the list it asks for.

        The newest read of the tab wins: a later change or a page load makes this
        one's answer stale, and a stale answer is dropped. ``updating`` is cleared by
        the newest change's answer, so a lost answer cannot leave the list stuck.
        """
        async with self:
            if not self.loaded or not change():
                return None
            self._load_generation += 1
            generation, query = self._load_generation, self._query()
            self.updating, self.not_updated = True, False
        data, failed = None, False
        try:
            signed_in = await self._signed_in()
            async with self:
                if self._load_generation != generation:
                    return None
                owner = self._owner_session
                actor = await self._adopt(signed_in)
                if actor is None:
                    return rx.redirect(routes.LOGIN)
                if self._owner_session != owner:  # a new session reset the page: load it
                    return SupportHistoryState.load  # by name: ``self`` is a proxy here
            data = await read_in_thread(self._read, actor, query)
        except Exception as error:  # a read: whatever failed, nothing was changed
            logger.error(
                "history list not updated: %s",
                type(error).__name__,
                exc_info=not isinstance(error, SQLAlchemyError),
            )
            failed = True
        async with self:
            if self._load_generation != generation:
                return None
            self.updating = False
            if failed:
                self._go_back_to(tuple(self._shown))
                self.not_updated = True
            else:
                self._show(data)
        return None


def _marker(value: Any) -> str:
    if isinstance(value, dict) and set(value) <= {"marker", "reason"} and "marker" in value:
        return str(value["marker"])
    return ""


def _readable(value: Any) -> str:
    """A stored reference as one line for people (the JSON below keeps every detail)."""
    if isinstance(value, dict):
        return " · ".join(
            f"{key}: {len(item) if isinstance(item, list) else _readable(item)}"
            if isinstance(item, list | dict)
            else f"{key}: {item}"
            for key, item in value.items()
        )
    if isinstance(value, list):
        return "; ".join(_readable(item) for item in value)
    return "" if value is None else str(value)


# The order a reader scans the captured context in: where, what, then the rest.
_REFERENCE_ORDER = (
    "workspace",
    "tenant",
    "operation_run",
    "latest_failed_operation_run",
    "provider_connections",
    "open_findings",
    "latest_review",
    "latest_report",
)


def reference_rows(envelope: dict[str, Any]) -> list[dict[str, str]]:
    """The envelope's context references, each with its missing/inaccessible marker."""
    references = envelope.get("references")
    if not isinstance(references, dict):
        return []
    known = [key for key in _REFERENCE_ORDER if key in references]
    return [
        {
            "key": key,
            "marker": _marker(references[key]),
            "value": "" if _marker(references[key]) else _readable(references[key]),
        }
        for key in [*known, *sorted(set(references) - set(known))]
    ]


class SupportRequestDetailState(PageLoadState, SessionState):
    """``/support-requests/<reference>``: everything stored about one request.

    The load is ``PageLoadState``'s. The owner's redaction is a background event (no
    database I/O while the tab's state is locked); when the database fails it says
    what is known: nothing was removed (before the commit), or it may have been (the
    commit failed: the page reloads to show what is stored).
    """

    loaded: bool = False
    not_found: bool = False
    request: dict[str, str] = {}
    history_href: str = ""
    references: list[dict[str, str]] = []
    envelope_json: str = ""
    snapshot_attached: bool = False
    snapshot_visible: bool = False
    audit: list[dict[str, str]] = []
    can_redact: bool = False
    redacting: bool = False
    redact_error: str = ""

    @rx.var
    def audit_display(self) -> list[dict[str, str]]:
        return [{**e, "detail": audit_detail(self.locale, e)} for e in self.audit]

    @rx.var
    def failure_text(self) -> str:
        return with_failure_text(self.locale, self.request)["failure_text"] if self.request else ""

    def _begin_load(self) -> None:
        self.loaded = self.not_found = False
        # Also clears a flag whose last write was lost (the state store failing).
        self.redacting, self.redact_error = False, ""

    def _read(self, actor: Actor, path: str) -> SupportRequestDetail | None:
        reference = routes.support_reference_from_path(path)
        with Session(get_engine()) as session:
            try:
                return SupportRequestHistoryService(session).detail(actor, reference)
            except NotFound:
                return None

    def _show(self, detail: SupportRequestDetail | None) -> None:
        if detail is None:
            self.not_found, self.loaded, self.request = True, False, {}
            self.can_redact = False
            return
        row = detail.row
        self.request = {
            **row_display(row),
            "reproduction_notes": detail.reproduction_notes or "",
            "contact_name": detail.contact_name or "",
            "contact_email": detail.contact_email or "",
            "attachment_mode": detail.attachment_mode,
            "handoff_mode": detail.handoff_mode,
        }
        self.history_href = routes.tenant_support_requests(row.tenant_id)
        self.references = reference_rows(detail.context_envelope)
        self.envelope_json = pretty_json(detail.context_envelope)
        self.snapshot_attached, self.snapshot_visible = (
            detail.snapshot_attached,
            detail.snapshot_visible,
        )
        self.audit = [_audit_entry(entry) for entry in detail.audit_trail]
        self.can_redact = detail.can_redact
        self.loaded = True

    @rx.event(background=True)
    async def redact(self, form_data: dict):
        """Remove the entered text from the request this page shows (owner only).

        The reference is the page's URL, resolved again by the service with the
        actor; ``can_redact`` only decided whether the form was drawn. The flag is
        cleared on every path (and by a page load, should even that write fail).
        """
        async with self:
            if self.redacting:
                return
            self.redacting, self.redact_error = True, ""
            locale, generation = self.locale, self._load_generation
            reference = routes.support_reference_from_path(self.router.url.path)
        removed = form_data.get("text") if isinstance(form_data, dict) else None
        if isinstance(removed, str):
            removed = removed[: MAX_LENGTH + 1]
        outcome = await self._redacted(reference, removed, locale)
        async with self:
            self.redacting = False
            current = self._load_generation == generation  # still this request's page
            if current:
                self.redact_error = outcome.error
        if outcome.signed_out:
            yield rx.redirect(routes.LOGIN)
            return
        if outcome.toast is not None:
            yield outcome.toast
        if outcome.reload and current:
            # By name: a background event's ``self`` is a proxy, not the state's class.
            yield SupportRequestDetailState.load

    async def _redacted(self, reference: str, removed: object, locale: str) -> _RedactOutcome:
        """Redact through the service, outside the state lock, and say what happened."""
        outcome = _RedactOutcome()
        service = SupportRequestRedactionService(get_engine(), get_settings().redaction_hash_key)
        try:
            try:
                signed_in = await self._signed_in()
            except SQLAlchemyError as error:  # before anything could be changed
                raise RedactionNotApplied() from error
            async with self:
                owner = self._owner_session
                actor = await self._adopt(signed_in)
                handed_over = self._owner_session != owner
            if actor is None:
                outcome.signed_out = True
                return outcome
            if handed_over:  # the form was another session's page: show this one's
                outcome.reload = True
                return outcome
            result = await asyncio.to_thread(service.redact, actor, reference, removed)
        except RedactionRefused as refused:
            outcome.error = translate(locale, refused.key)
        except (NotFound, Forbidden) as error:
            forbidden = isinstance(error, Forbidden)
            key = "support.error.forbidden" if forbidden else "support.error.not_found"
            outcome.toast = rx.toast.error(translate(locale, key))
        except RedactionNotApplied as error:
            logger.error("redaction not applied: %s", type(error.__cause__).__name__)
            outcome.error = translate(locale, "redaction.error.not_applied")
        except Exception as error:  # the commit failed, or something unforeseen
            error_id = new_error_id()
            logger.error("redaction outcome unknown [error %s]", error_id, exc_info=error)
            outcome.toast = rx.toast.warning(
                translate(locale, "redaction.toast.outcome_unknown", reference=error_id),
                duration=60_000,
                close_button=True,
            )
            outcome.reload = True
        else:
            key = "redaction.toast.done"
            outcome.toast = rx.toast.success(translate(locale, key, count=result.occurrences))
            outcome.reload = True
        return outcome


@dataclass
class _RedactOutcome:
    """What one redaction ended with, gathered outside the state lock."""

    error: str = ""  # shown under the form
    toast: EventSpec | None = None
    reload: bool = False  # the stored request changed, or may have: show it again
    signed_out: bool = False


def _audit_entry(entry: AuditEntry) -> dict[str, str]:
    """An audit row's facts worth a line on the detail page (never free text)."""
    metadata = entry.metadata
    fields = metadata.get("fields")
    occurrences = metadata.get("occurrences")
    return {
        "action": entry.action,
        "created": format_time(entry.created_at),
        "actor": entry.actor,
        "external_reference": str(metadata.get("external_reference") or ""),
        "fields": ",".join(str(f) for f in fields) if isinstance(fields, list) else "",
        "occurrences": str(occurrences) if isinstance(occurrences, int) else "",
    }


def audit_detail(locale: str, entry: dict[str, str]) -> str:
    if entry.get("fields"):
        names = ", ".join(
            translate(locale, f"redaction.field.{f}") for f in entry["fields"].split(",")
        )
        count = translate(locale, "redaction.occurrences", count=entry["occurrences"])
        return f"{names} · {count}"
    return entry.get("external_reference", "")
