"""Security lane: the real app's backend, attacked through ``tests/event_client.py``.

One backend-only app for the lane (nothing is built: the event socket and the HTTP
routes are the whole attack surface a browser reaches), on its own demo database in
which every tenant already holds a support request with a unique summary, so that a
leak of another tenant's data would be visible in any delta.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import AuditLog, OperationRun, SupportRequest, Tenant, User, Workspace
from support_app.services.access import AccessService, Actor
from support_app.services.demo_seed import (
    DEMO_PASSWORD,
    PLANTED_ACCESS_TOKEN,
    PLANTED_CLIENT_SECRET,
)
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from tests.conftest import migrate_and_seed, run_coroutine
from tests.event_client import EventClient
from tests.running_app import running_app

T = TypeVar("T")

OWNER = "owner@contoso.example"
OPERATOR = "operator@contoso.example"
READONLY = "readonly@contoso.example"
OUTSIDER = "outsider@litware.example"
DEMO_USERS = (OWNER, OPERATOR, READONLY, OUTSIDER)
# Planted in the demo runs and connections: never in any delta, for anybody.
PLANTED_SECRETS = (PLANTED_ACCESS_TOKEN, PLANTED_CLIENT_SECRET, "Winter2026!", "rt-demo-9f8e7d")
# Audit actions a forged event may legitimately cause: its own denial, and sign-ins
# (the lane signs in and out between cases).
TRACE_ACTIONS = ("access.denied", "auth.signed_in", "auth.sign_in_failed", "auth.signed_out")


@dataclass(frozen=True)
class TenantFacts:
    id: int
    name: str
    workspace: str
    run_id: int
    marker_summary: str
    marker_reference: str


@dataclass
class World:
    """Who may see what in the lane's database, and how to count what was written."""

    engine: Engine
    tenants: dict[str, TenantFacts]
    # user e-mail -> {tenant name: role}
    roles: dict[str, dict[str, str]]
    users: dict[str, int] = field(default_factory=dict)

    def foreign_markers(self, email: str) -> list[str]:
        """Text that must never reach ``email``'s browser: other tenants' names and
        request markers, other workspaces' names, and the planted secrets."""
        own = self.roles[email]
        own_workspaces = {self.tenants[name].workspace for name in own}
        markers = list(PLANTED_SECRETS)
        for name, tenant in self.tenants.items():
            if name not in own:
                markers += [name, tenant.marker_summary, tenant.marker_reference]
            if tenant.workspace not in own_workspaces:
                markers.append(tenant.workspace)
        return sorted(set(markers))

    def writes(self) -> tuple[int, int]:
        """(support requests, audit rows other than denials and sign-ins) right now."""
        with Session(self.engine) as session:
            requests = session.exec(select(func.count()).select_from(SupportRequest)).one()
            audit = session.exec(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action.not_in(TRACE_ACTIONS))  # type: ignore[union-attr]
            ).one()
        return requests, audit

    def audit_rows(self, action: str, user_id: int | None = None) -> list[AuditLog]:
        with Session(self.engine) as session:
            query = select(AuditLog).where(AuditLog.action == action)
            if user_id is not None:
                query = query.where(AuditLog.actor_user_id == user_id)
            return list(session.exec(query.order_by(AuditLog.id)))

    def requests(self) -> list[SupportRequest]:
        with Session(self.engine) as session:
            return list(session.exec(select(SupportRequest).order_by(SupportRequest.id)))


def _plant_markers(engine: Engine) -> None:
    """One support request per tenant, raised by a user entitled to it."""
    service = SupportRequestSubmissionService(engine)
    with Session(engine) as session:
        tenants = session.exec(select(Tenant, Workspace).join(Workspace)).all()
        for tenant, workspace in tenants:
            raiser = OWNER if workspace.name == "Contoso MSP" else OUTSIDER
            user = session.exec(select(User).where(User.email == raiser)).one()
            form = SupportRequestForm(
                severity="high", summary=f"Marker {tenant.name} {uuid.uuid4().hex[:12]}"
            )
            run_coroutine(
                service.submit(Actor.of(user), SupportContext("tenant", str(tenant.id)), form)
            )


def _world(engine: Engine) -> World:
    with Session(engine) as session:
        facts: dict[str, TenantFacts] = {}
        for tenant, workspace in session.exec(select(Tenant, Workspace).join(Workspace)).all():
            run_id = session.exec(
                select(OperationRun.id)
                .where(OperationRun.tenant_id == tenant.id, OperationRun.outcome == "failed")
                .order_by(OperationRun.id)
            ).first()
            marker = session.exec(
                select(SupportRequest).where(SupportRequest.tenant_id == tenant.id)
            ).one()
            facts[tenant.name] = TenantFacts(
                id=tenant.id,
                name=tenant.name,
                workspace=workspace.name,
                run_id=run_id,
                marker_summary=marker.summary,
                marker_reference=marker.reference,
            )
        roles: dict[str, dict[str, str]] = {}
        users: dict[str, int] = {}
        for email in DEMO_USERS:
            user = session.exec(select(User).where(User.email == email)).one()
            users[email] = user.id
            visible = AccessService(session).visible_tenants(Actor.of(user))
            roles[email] = {t.tenant_name: t.role for t in visible}
    return World(engine=engine, tenants=facts, roles=roles, users=users)


def prepare_database(directory: Path) -> str:
    """A migrated demo database with one marker request per tenant; its URL."""
    db_url = f"sqlite:///{directory / 'security.db'}"
    migrate_and_seed(db_url)
    engine = create_db_engine(db_url)
    _plant_markers(engine)
    engine.dispose()
    return db_url


@pytest.fixture(scope="session")
def security_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepare_database(tmp_path_factory.mktemp("security-db"))


@pytest.fixture(scope="session")
def world(security_db_url: str) -> Iterator[World]:
    engine = create_db_engine(security_db_url)
    yield _world(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security-app")


@pytest.fixture(scope="session")
def app(app_dir: Path, security_db_url: str) -> Iterator[str]:
    """The backend of the real app on the lane's database; its base URL."""
    # /metrics for this machine's 127.0.0.1 only: 127.0.0.2 stands for anyone else.
    metrics_allowed = {"SUPPORT_APP_METRICS_ALLOWED_ADDRESSES": "127.0.0.1/32"}
    with running_app(app_dir, security_db_url, env=metrics_allowed, backend_only=True) as url:
        yield url


@pytest.fixture
def app_log(app: str, app_dir: Path) -> Path:
    """The running app's server log (stdout and stderr)."""
    return app_dir / "reflex.log"


def run(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async scenario to completion (its own loop, off the main thread)."""
    return run_coroutine(asyncio.wait_for(scenario(), timeout=240))


async def signed_in_tab(app_url: str, email: str, password: str = DEMO_PASSWORD) -> EventClient:
    """A connected tab of ``email``, signed in over HTTP (cookie on the socket)."""
    tab = EventClient(app_url)
    response = await tab.sign_in(email, password)
    assert response.status_code == 303 and tab.cookie, (email, response.status_code)
    await tab.connect()
    return tab
