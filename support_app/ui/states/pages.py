"""Page states: thin. Each load re-resolves the actor and the record through the
access service; nothing the browser sent is trusted as proof of access."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlmodel import Session

from support_app import routes
from support_app.db import get_engine
from support_app.services.access import (
    OPERATION_RUN,
    TENANT,
    AccessService,
    NotFound,
    TenantAccess,
)
from support_app.services.capabilities import Capability
from support_app.services.dashboard import DocumentRow, read_run, read_tenant_dashboard
from support_app.ui.states.session import SessionState


class HomeState(SessionState):
    tenants: list[dict[str, str]] = []
    # The reader's workspaces (those with an entitled tenant), each with its history.
    workspaces: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)

        def _read() -> list[TenantAccess]:
            with Session(get_engine()) as session:
                return AccessService(session).visible_tenants(actor)

        visible = await asyncio.to_thread(_read)
        self.tenants = [
            {
                "id": str(t.tenant_id),
                "name": t.tenant_name,
                "workspace": t.workspace_name,
                "role": t.role,
                "href": routes.tenant_dashboard(t.tenant_id),
            }
            for t in visible
        ]
        workspaces = {t.workspace_id: t.workspace_name for t in visible}
        self.workspaces = [
            {"name": name, "support_requests_href": routes.workspace_support_requests(wid)}
            for wid, name in workspaces.items()
        ]


class ScopedPageState(SessionState):
    """What the tenant dashboard and run viewer share: scope, not-found, capabilities."""

    loaded: bool = False
    not_found: bool = False
    tenant_name: str = ""
    tenant_href: str = ""
    workspace_name: str = ""
    # This page's support-request history (a run page's: narrowed to the run).
    support_requests_href: str = ""
    can_request_support: bool = False
    can_view_diagnostics: bool = False

    def _reset_scope(self) -> None:
        self.loaded = False
        self.not_found = False
        self.can_request_support = self.can_view_diagnostics = False

    def _set_scope(self, tenant, run_id: int | None = None) -> None:
        self.tenant_name = tenant.tenant_name
        self.tenant_href = routes.tenant_dashboard(tenant.tenant_id)
        self.support_requests_href = routes.tenant_support_requests(
            tenant.tenant_id, run_id if run_id else None
        )
        self.workspace_name = tenant.workspace_name
        self.can_request_support = tenant.can(Capability.SUPPORT_REQUESTS_CREATE)
        self.can_view_diagnostics = tenant.can(Capability.SUPPORT_DIAGNOSTICS_VIEW)
        self.loaded = True

    def _page_kind(self) -> str:
        """The kind of context this page shows (``tenant`` or ``operation_run``)."""
        raise NotImplementedError

    def _route_id(self) -> str:
        """The id in the URL, if the URL names this page's kind (a forged event may
        claim any path); "" otherwise, which the access service answers not found."""
        context = routes.support_context_from_path(self.router.url.path)
        return context[1] if context and context[0] == self._page_kind() else ""


class TenantDashboardState(ScopedPageState):
    connections: list[dict[str, str]] = []
    runs: list[dict[str, str]] = []
    findings: list[dict[str, str]] = []
    review: dict[str, str] = {}
    report: dict[str, str] = {}

    def _page_kind(self) -> str:
        return TENANT

    @rx.event
    async def load(self):
        self._reset_scope()
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        raw_id = self._route_id()

        def _read():
            with Session(get_engine()) as session:
                tenant = AccessService(session).resolve_tenant(actor, raw_id)
                return read_tenant_dashboard(session, tenant)

        try:
            dashboard = await asyncio.to_thread(_read)
        except NotFound:
            self.not_found = True
            return
        self.connections = [dataclasses.asdict(c) for c in dashboard.connections]
        self.runs = [
            {**_str_dict(dataclasses.asdict(r)), "href": routes.operation_run(r.id)}
            for r in dashboard.runs
        ]
        self.findings = [
            {"severity": s, "count": str(n)} for s, n in dashboard.open_findings.items()
        ]
        self.review = _document(dashboard.latest_review)
        self.report = _document(dashboard.latest_report)
        self._set_scope(dashboard.tenant)


class RunViewerState(ScopedPageState):
    run: dict[str, str] = {}

    def _page_kind(self) -> str:
        return OPERATION_RUN

    @rx.event
    async def load(self):
        self._reset_scope()
        actor = await self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        raw_id = self._route_id()

        def _read():
            with Session(get_engine()) as session:
                return read_run(AccessService(session).resolve_run(actor, raw_id))

        try:
            view = await asyncio.to_thread(_read)
        except NotFound:
            self.not_found = True
            return
        self.run = _str_dict(dataclasses.asdict(view.run))
        self._set_scope(view.tenant, view.run.id)


def _document(document: DocumentRow | None) -> dict[str, str]:
    return dataclasses.asdict(document) if document else {"title": "", "status": "", "created": ""}


def _str_dict(values: dict) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in values.items()}
