"""The support-request history pages (tenant, workspace) and a request's detail page.

Thin: every event resolves the actor from the session and the scope from the page's
URL (a forged event may claim any URL; the services answer it by the access rules)
and calls the history or redaction service. The list's cursors and the reference a
redaction applies to live only on the server (backend-only vars, or the URL itself),
never in anything the browser can set.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from sqlmodel import Session

from support_app import routes
from support_app.canonical_json import canonical_json, pretty_json
from support_app.db import get_engine
from support_app.i18n import failure_text, translate
from support_app.models.support_request import SEVERITIES
from support_app.services.access import Forbidden, NotFound
from support_app.services.dashboard import format_time
from support_app.services.support_requests.history import (
    CONTEXT_FILTERS,
    OUTCOMES,
    AuditEntry,
    HistoryFilters,
    HistoryRow,
    SupportRequestHistoryService,
)
from support_app.services.support_requests.manual_redaction import (
    MAX_LENGTH,
    RedactionRefused,
    SupportRequestRedactionService,
)
from support_app.settings import get_settings
from support_app.ui.states.session import SessionState

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
    }


def with_failure_text(locale: str, row: dict[str, str]) -> dict[str, str]:
    if row.get("outcome") != "failed":
        return {**row, "failure_text": ""}
    text = failure_text(locale, row["failure_kind"], row["failure_params"], row["failure_summary"])
    return {**row, "failure_text": text}


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    return value if isinstance(value, str) and value in allowed else ALL


class SupportHistoryState(SessionState):
    """``/tenants/<id>/support-requests`` and ``/workspaces/<id>/support-requests``."""

    loaded: bool = False
    not_found: bool = False
    scope_kind: str = ""  # "tenant" | "workspace"
    title: str = ""
    workspace_name: str = ""
    tenant_href: str = ""
    run_id: str = ""  # the run the tenant history is narrowed to ("" none)
    run_href: str = ""
    outcome: str = ALL
    severity: str = ALL
    context: str = ALL
    mine: bool = False
    rows: list[dict[str, str]] = []
    page_number: int = 1
    has_next: bool = False
    # The cursor of every page shown so far (page 1: ""), and of the next page.
    _cursors: list[str] = []
    _next_cursor: str = ""

    @rx.var
    def display_rows(self) -> list[dict[str, str]]:
        return [with_failure_text(self.locale, row) for row in self.rows]

    @rx.event
    async def load(self):
        self.loaded = self.not_found = False
        self.outcome = self.severity = self.context = ALL
        self.mine = False
        self.run_id = self.router.url.query_parameters.get(routes.RUN_FILTER_PARAMETER, "")
        self._cursors = [""]
        return await self._read()

    @rx.event
    async def set_outcome(self, value: str):
        self.outcome = _choice(value, OUTCOMES)
        return await self._first_page()

    @rx.event
    async def set_severity(self, value: str):
        self.severity = _choice(value, SEVERITIES)
        return await self._first_page()

    @rx.event
    async def set_context(self, value: str):
        self.context = _choice(value, CONTEXT_FILTERS)
        return await self._first_page()

    @rx.event
    async def set_mine(self, value: bool):
        self.mine = value is True
        return await self._first_page()

    @rx.event
    async def next_page(self):
        if not self._next_cursor:
            return None
        self._cursors = [*self._cursors, self._next_cursor]
        return await self._read()

    @rx.event
    async def previous_page(self):
        if len(self._cursors) <= 1:
            return None
        self._cursors = self._cursors[:-1]
        return await self._read()

    async def _first_page(self):
        self._cursors = [""]
        return await self._read()

    def _filters(self) -> HistoryFilters:
        return HistoryFilters(
            outcome="" if self.outcome == ALL else self.outcome,
            severity="" if self.severity == ALL else self.severity,
            context="" if self.context == ALL else self.context,
            run_id=self.run_id or None,
            created_by_me=self.mine,
        )

    async def _read(self):
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        scope = routes.history_scope_from_path(self.router.url.path)
        kind, raw_id = scope if scope else ("tenant", "")
        filters, cursor = self._filters(), (self._cursors or [""])[-1]

        def _read_page():
            with Session(get_engine()) as session:
                service = SupportRequestHistoryService(session)
                if kind == "workspace":
                    return service.for_workspace(actor, raw_id, filters, cursor)
                return service.for_tenant(actor, raw_id, filters, cursor)

        try:
            history = await asyncio.to_thread(_read_page)
        except NotFound:
            self.not_found, self.loaded, self.rows = True, False, []
            return None
        self.scope_kind = kind
        if kind == "workspace":
            self.title = history.workspace_name
            self.workspace_name, self.tenant_href, self.run_href = history.workspace_name, "", ""
        else:
            tenant = history.tenant
            self.title, self.workspace_name = tenant.tenant_name, tenant.workspace_name
            self.tenant_href = routes.tenant_dashboard(tenant.tenant_id)
            self.run_href = routes.operation_run(self.run_id) if self.run_id else ""
        self.rows = [row_display(row) for row in history.page.rows]
        self._next_cursor = history.page.next_cursor
        self.has_next = bool(history.page.next_cursor)
        self.page_number = len(self._cursors)
        self.not_found, self.loaded = False, True
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


class SupportRequestDetailState(SessionState):
    """``/support-requests/<reference>``: everything stored about one request."""

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

    @rx.event
    async def load(self):
        self.loaded = self.not_found = False
        self.redact_error = ""
        return await self._read()

    async def _read(self):
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        reference = routes.support_reference_from_path(self.router.url.path)

        def _detail():
            with Session(get_engine()) as session:
                return SupportRequestHistoryService(session).detail(actor, reference)

        try:
            detail = await asyncio.to_thread(_detail)
        except NotFound:
            self.not_found, self.loaded, self.request = True, False, {}
            self.can_redact = False
            return None
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
        return None

    @rx.event
    async def redact(self, form_data: dict):
        """Remove the entered text from the request this page shows (owner only).

        The reference is the page's URL, resolved again by the service with the
        actor; ``can_redact`` only decided whether the form was drawn.
        """
        if self.redacting:
            return
        actor = await self._actor()
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        locale = self.locale
        removed = form_data.get("text") if isinstance(form_data, dict) else None
        if isinstance(removed, str):
            removed = removed[: MAX_LENGTH + 1]
        reference = routes.support_reference_from_path(self.router.url.path)
        service = SupportRequestRedactionService(get_engine(), get_settings().redaction_hash_key)
        self.redacting, self.redact_error = True, ""
        yield
        try:
            result = await asyncio.to_thread(service.redact, actor, reference, removed)
        except RedactionRefused as refused:
            self.redact_error = translate(locale, refused.key)
            return
        except (NotFound, Forbidden) as error:
            forbidden = isinstance(error, Forbidden)
            key = "support.error.forbidden" if forbidden else "support.error.not_found"
            yield rx.toast.error(translate(locale, key))
            return
        finally:
            self.redacting = False
        await self._read()
        yield rx.toast.success(translate(locale, "redaction.toast.done", count=result.occurrences))


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
