"""The one access check used by every page, state handler and service.

Rules (SPEC "Access rules"):
- not a member of the tenant's workspace, or not entitled to the tenant (or to the
  run's tenant) → ``NotFound``, exactly as for an id that does not exist;
- in scope but missing a capability → ``Forbidden``.

Ids arrive from browsers and are never trusted: anything that is not a plain
positive integer is simply "not found".

Every denial this service answers is also recorded (audit action ``access.denied``,
rate-limited per actor, see ``record_access_denied``): resolving and authorizing go
through here and nowhere else, so no caller can forget to leave that trace.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import (
    OperationRun,
    SupportRequest,
    Tenant,
    TenantMembership,
    User,
    Workspace,
    WorkspaceMembership,
)
from support_app.models.platform import RUN_WITHOUT_RAW_PAYLOAD
from support_app.services.audit import AccessDenial, record_access_denied
from support_app.services.capabilities import (
    Capability,
    capabilities_for,
    workspace_capabilities_for,
)
from support_app.services.support_requests.reference import SupportRequestReference

_MAX_ID_DIGITS = 18

# The kinds of context a browser can name (a tenant page, an operation-run page).
TENANT = "tenant"
OPERATION_RUN = "operation_run"
# Kinds a browser can also name on the history and detail pages.
WORKSPACE = "workspace"
SUPPORT_REQUEST = "support_request"


class NotFound(Exception):
    """The record does not exist or is outside the actor's scope (HTTP 404)."""


class Forbidden(Exception):
    """The record is in scope but the actor lacks the capability (HTTP 403)."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as resolved on the server from the session cookie."""

    user_id: int
    email: str
    display_name: str
    locale: str

    @classmethod
    def of(cls, user: User) -> Actor:
        assert user.id is not None
        return cls(user.id, user.email, user.display_name, user.preferred_locale)


@dataclass(frozen=True)
class TenantAccess:
    tenant_id: int
    tenant_name: str
    workspace_id: int
    workspace_name: str
    role: str
    capabilities: frozenset[Capability]

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True)
class RunAccess:
    run: OperationRun
    tenant: TenantAccess


@dataclass(frozen=True)
class WorkspaceAccess:
    """A workspace the actor is a member of, with the tenants they are entitled to."""

    workspace_id: int
    workspace_name: str
    tenants: tuple[TenantAccess, ...]
    role: str = "member"

    def can(self, capability: Capability) -> bool:
        return capability in workspace_capabilities_for(self.role)


@dataclass(frozen=True)
class SupportRequestAccess:
    request: SupportRequest
    tenant: TenantAccess


def parse_id(raw: object) -> int:
    """A database id from untrusted input, or ``NotFound``."""
    if isinstance(raw, bool):
        raise NotFound
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= _MAX_ID_DIGITS:
        value = int(raw)
    else:
        raise NotFound
    if value <= 0:
        raise NotFound
    return value


# Tenants joined to the actor's workspace membership AND tenant entitlement. Built once
# with bound parameters: constructing a statement (and its cache key) per call costs
# more than SQLite takes to run it.
_ENTITLED = (
    select(Tenant, Workspace, TenantMembership.role)
    .join(Workspace, Workspace.id == Tenant.workspace_id)
    .join(
        WorkspaceMembership,
        (WorkspaceMembership.workspace_id == Tenant.workspace_id)
        & (WorkspaceMembership.user_id == bindparam("user_id")),
    )
    .join(
        TenantMembership,
        (TenantMembership.tenant_id == Tenant.id)
        & (TenantMembership.user_id == bindparam("user_id")),
    )
)
_ENTITLED_TENANT = _ENTITLED.where(Tenant.id == bindparam("tenant_id"))
_VISIBLE_TENANTS = _ENTITLED.order_by(Workspace.name, Tenant.name)
_WORKSPACE_TENANTS = _ENTITLED.where(Tenant.workspace_id == bindparam("workspace_id")).order_by(
    Tenant.name
)
_MEMBER_WORKSPACE = (
    select(Workspace, WorkspaceMembership.role)
    .join(WorkspaceMembership, WorkspaceMembership.workspace_id == Workspace.id)
    .where(
        Workspace.id == bindparam("workspace_id"),
        WorkspaceMembership.user_id == bindparam("user_id"),
    )
)
_REQUEST_BY_REFERENCE = select(SupportRequest).where(
    SupportRequest.reference == bindparam("reference")
)


def _tenant_access(tenant: Tenant, workspace: Workspace, role: str) -> TenantAccess:
    return TenantAccess(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        workspace_id=workspace.id,
        workspace_name=workspace.name,
        role=role,
        capabilities=capabilities_for(role),
    )


class AccessService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def resolve_tenant(self, actor: Actor, tenant_id: object) -> TenantAccess:
        """The tenant if ``actor`` is a workspace member and entitled to it; else NotFound."""
        try:
            return self._tenant(actor, parse_id(tenant_id))
        except NotFound as error:
            self._denied(actor, error, TENANT, tenant_id)
            raise

    def resolve_run(self, actor: Actor, run_id: object) -> RunAccess:
        """The run, resolved through its tenant with the same rule (never by run id alone)."""
        try:
            run = self._session.get(
                OperationRun, parse_id(run_id), options=[RUN_WITHOUT_RAW_PAYLOAD]
            )
            if run is None:
                raise NotFound
            return RunAccess(run=run, tenant=self._tenant(actor, run.tenant_id))
        except NotFound as error:
            self._denied(actor, error, OPERATION_RUN, run_id)
            raise

    def resolve_workspace(self, actor: Actor, workspace_id: object) -> WorkspaceAccess:
        """The workspace if ``actor`` is a member (else NotFound), with the tenants they
        are entitled to there: a member entitled to none sees an empty workspace."""
        try:
            wid = parse_id(workspace_id)
            params = {"user_id": actor.user_id, "workspace_id": wid}
            member = self._session.exec(_MEMBER_WORKSPACE, params=params).first()
            if member is None:
                raise NotFound
        except NotFound as error:
            self._denied(actor, error, WORKSPACE, workspace_id)
            raise
        workspace, role = member
        rows = self._session.exec(_WORKSPACE_TENANTS, params=params).all()
        return WorkspaceAccess(
            workspace.id, workspace.name, tuple(_tenant_access(*row) for row in rows), role
        )

    def authorize_workspace(
        self, actor: Actor, access: WorkspaceAccess, capability: Capability
    ) -> None:
        """``Forbidden`` unless the actor's workspace role grants ``capability`` (the
        workspace-wide acts: erasing a tenant's or a person's data, retention)."""
        if not access.can(capability):
            error = Forbidden(capability.value)
            bind = self._session.get_bind()
            record_access_denied(
                bind if isinstance(bind, Engine) else bind.engine,
                AccessDenial(
                    actor_user_id=actor.user_id,
                    outcome="forbidden",
                    context_kind=WORKSPACE,
                    raw_id=access.workspace_id,
                    workspace_id=access.workspace_id,
                    capability=capability.value,
                ),
            )
            raise error

    def resolve_support_request(self, actor: Actor, reference: object) -> SupportRequestAccess:
        """The request, resolved through its tenant with the tenant rule (a reference
        alone, like a run id, proves nothing)."""
        try:
            if not SupportRequestReference.is_valid(reference):
                raise NotFound
            request = self._session.exec(
                _REQUEST_BY_REFERENCE, params={"reference": reference}
            ).first()
            if request is None:
                raise NotFound
            return SupportRequestAccess(request, self._tenant(actor, request.tenant_id))
        except NotFound as error:
            self._denied(actor, error, SUPPORT_REQUEST, reference)
            raise

    def authorize(
        self,
        actor: Actor,
        access: TenantAccess,
        capability: Capability,
        *,
        context_kind: str = TENANT,
        raw_id: object = None,
    ) -> None:
        """``Forbidden`` unless the actor's role on the tenant grants ``capability``.

        ``context_kind``/``raw_id`` name what the browser asked for (a run, say), so
        the recorded denial says what was attempted, not only on which tenant.
        """
        if not access.can(capability):
            error = Forbidden(capability.value)
            self._denied(
                actor,
                error,
                context_kind,
                access.tenant_id if raw_id is None else raw_id,
                tenant=access,
                capability=capability,
            )
            raise error

    def visible_tenants(self, actor: Actor) -> list[TenantAccess]:
        """Every tenant the actor is entitled to, by workspace then tenant name."""
        rows = self._session.exec(_VISIBLE_TENANTS, params={"user_id": actor.user_id}).all()
        return [_tenant_access(*row) for row in rows]

    def _tenant(self, actor: Actor, tenant_id: int) -> TenantAccess:
        row = self._session.exec(
            _ENTITLED_TENANT, params={"user_id": actor.user_id, "tenant_id": tenant_id}
        ).first()
        if row is None:
            raise NotFound
        return _tenant_access(*row)

    def _denied(
        self,
        actor: Actor,
        error: NotFound | Forbidden,
        context_kind: str,
        raw_id: object,
        *,
        tenant: TenantAccess | None = None,
        capability: Capability | None = None,
    ) -> None:
        bind = self._session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        record_access_denied(
            engine,
            AccessDenial(
                actor_user_id=actor.user_id,
                outcome="forbidden" if isinstance(error, Forbidden) else "not_found",
                context_kind=context_kind,
                raw_id=raw_id,
                workspace_id=tenant.workspace_id if tenant else None,
                tenant_id=tenant.tenant_id if tenant else None,
                capability=capability.value if capability else None,
            ),
        )
