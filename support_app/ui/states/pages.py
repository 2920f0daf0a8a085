"""Page states: thin. Each load re-resolves the actor and the record through the
access service; nothing the browser sent is trusted as proof of access."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx
from reflex.event import EventHandler, EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from support_app import routes
from support_app.db import get_engine, read_in_thread
from support_app.services.access import (
    OPERATION_RUN,
    TENANT,
    AccessService,
    Actor,
    NotFound,
    TenantAccess,
)
from support_app.services.capabilities import Capability
from support_app.services.dashboard import DocumentRow, read_run, read_tenant_dashboard
from support_app.ui.states.session import SessionState

# Waits between automatic reloads of a page whose data failed to load (then the last
# one, until RETRY_ATTEMPTS_MAX): the page recovers by itself once the database is back.
RETRY_DELAYS_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
RETRY_ATTEMPTS_MAX = 40  # about 20 minutes; then the Retry button is left

logger = logging.getLogger(__name__)


class PageLoadState(SessionState, mixin=True):
    """What every page's load shares: "failed to load" is never shown as "no data".

    A page state implements ``_read(actor, query)`` (a database read, run in a thread)
    and ``_show(data)``; ``_query()`` is what the read needs from the tab (the URL's
    path unless the page says more), taken while the state is locked. ``load`` reads
    once; when a dependency is down, the page shows an error with Retry
    (``load_failed``) instead of an empty page, and ``retry_load`` - a background
    event, so the tab's state lock is not held while it waits or reads - tries again
    with back-off until it works: open tabs recover by themselves once the database is
    back. Only the newest load of a tab keeps going.

    A state mixin, not a parent state: Reflex binds an event handler (and the state a
    background event locks) to the class that declares it, and copies a mixin's
    handlers and vars onto each class that uses it, so every page state gets its own
    ``load``, ``retry_load`` and ``load_failed`` from this one definition. A page state
    names ``SessionState`` as its base too (``class P(PageLoadState, SessionState)``):
    a class whose state bases are all mixins is a mixin itself.
    """

    load_failed: bool = False

    def _begin_load(self) -> None:
        """Forget what the previous load showed."""

    def _query(self) -> Any:
        return self.router.url.path

    def _read(self, actor: Actor, query: Any) -> Any:
        raise NotImplementedError

    def _show(self, data: Any) -> None:
        raise NotImplementedError

    @rx.event
    async def load(self):
        return await self._load_page()

    @rx.event(background=True)
    async def retry_load(self):
        """Reload with back-off while ``load_failed`` (a no-op otherwise)."""
        async with self:
            if not self.load_failed:
                return
            generation = self._load_generation
        for attempt in range(RETRY_ATTEMPTS_MAX):
            await asyncio.sleep(RETRY_DELAYS_SECONDS[min(attempt, len(RETRY_DELAYS_SECONDS) - 1)])
            try:
                signed_in = await self._signed_in()
                async with self:
                    if self._load_generation != generation:
                        return  # a newer load (Retry, another page) took over
                    owner = self._owner_session
                    actor = await self._adopt(signed_in)
                    if self._owner_session != owner:  # a new session reset the page's vars
                        self._begin_load()
                        self.load_failed = True
                    query, path = self._query(), self.router.url.path
                if actor is None:
                    yield rx.redirect(routes.LOGIN)
                    return
                data = await read_in_thread(self._read, actor, query)
            except SQLAlchemyError:
                continue
            async with self:
                if self._load_generation != generation:
                    return
                self.load_failed = False
                self._show(data)
            logger.warning("page %s loaded after %d retries", path[:80], attempt + 1)
            return

    async def _load_page(self) -> EventSpec | EventHandler | None:
        """The first attempt, in the page's own (foreground) load event."""
        self._load_generation += 1
        try:
            try:
                actor = await self._actor()
            finally:
                self._begin_load()  # after the lookup: a new session resets the page's vars
            if actor is None:
                return rx.redirect(routes.LOGIN)
            data = await read_in_thread(self._read, actor, self._query())
        except SQLAlchemyError as error:
            logger.error(
                "page %s failed to load: %s", self.router.url.path[:80], type(error).__name__
            )
            self.load_failed = True
            return type(self).retry_load
        self.load_failed = False
        self._show(data)
        return None


class HomeState(PageLoadState, SessionState):
    tenants: list[dict[str, str]] = []
    loaded: bool = False
    # The reader's workspaces (those with an entitled tenant), each with its history.
    workspaces: list[dict[str, str]] = []

    def _begin_load(self) -> None:
        self.loaded = False

    def _read(self, actor: Actor, path: str) -> list[TenantAccess]:
        with Session(get_engine()) as session:
            return AccessService(session).visible_tenants(actor)

    def _show(self, data: list[TenantAccess]) -> None:
        self.tenants = [
            {
                "id": str(t.tenant_id),
                "name": t.tenant_name,
                "workspace": t.workspace_name,
                "role": t.role,
                "href": routes.tenant_dashboard(t.tenant_id),
            }
            for t in data
        ]
        workspaces = {t.workspace_id: t.workspace_name for t in data}
        self.workspaces = [
            {"name": name, "support_requests_href": routes.workspace_support_requests(wid)}
            for wid, name in workspaces.items()
        ]
        self.loaded = True


class ScopedPageState(PageLoadState, mixin=True):
    """What the tenant dashboard and run viewer share: scope, not-found, capabilities
    (each page its own copy: a mixin, as ``PageLoadState``)."""

    loaded: bool = False
    not_found: bool = False
    tenant_name: str = ""
    tenant_href: str = ""
    workspace_name: str = ""
    # This page's support-request history (a run page's: narrowed to the run).
    support_requests_href: str = ""
    can_request_support: bool = False
    can_view_diagnostics: bool = False

    def _begin_load(self) -> None:
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

    def _route_id(self, path: str) -> str:
        """The id in the URL, if the URL names this page's kind (a forged event may
        claim any path); "" otherwise, which the access service answers not found."""
        context = routes.support_context_from_path(path)
        return context[1] if context and context[0] == self._page_kind() else ""


class TenantDashboardState(ScopedPageState, SessionState):
    connections: list[dict[str, str]] = []
    runs: list[dict[str, str]] = []
    findings: list[dict[str, str]] = []
    review: dict[str, str] = {}
    report: dict[str, str] = {}

    def _page_kind(self) -> str:
        return TENANT

    def _read(self, actor: Actor, path: str):
        with Session(get_engine()) as session:
            try:
                tenant = AccessService(session).resolve_tenant(actor, self._route_id(path))
            except NotFound:
                return None
            return read_tenant_dashboard(session, tenant)

    def _show(self, data) -> None:
        if data is None:
            self.not_found = True
            return
        self.connections = [dataclasses.asdict(c) for c in data.connections]
        self.runs = [
            {**_str_dict(dataclasses.asdict(r)), "href": routes.operation_run(r.id)}
            for r in data.runs
        ]
        self.findings = [{"severity": s, "count": str(n)} for s, n in data.open_findings.items()]
        self.review = _document(data.latest_review)
        self.report = _document(data.latest_report)
        self._set_scope(data.tenant)


class RunViewerState(ScopedPageState, SessionState):
    run: dict[str, str] = {}

    def _page_kind(self) -> str:
        return OPERATION_RUN

    def _read(self, actor: Actor, path: str):
        with Session(get_engine()) as session:
            try:
                return read_run(AccessService(session).resolve_run(actor, self._route_id(path)))
            except NotFound:
                return None

    def _show(self, data) -> None:
        if data is None:
            self.not_found = True
            return
        self.run = _str_dict(dataclasses.asdict(data.run))
        self._set_scope(data.tenant, data.run.id)


def _document(document: DocumentRow | None) -> dict[str, str]:
    return dataclasses.asdict(document) if document else {"title": "", "status": "", "created": ""}


def _str_dict(values: dict) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in values.items()}
