"""Customer offboarding: every request of a tenant that leaves becomes a tombstone.

The MSP's contract with its customer says when that customer's data is deleted; the
workspace owner (or an administrator at the command line) erases the tenant's
requests at once, confirming by typing the tenant's name. One ``Erasure`` record
(reason ``offboarding``) and its audit row come first, with the first batch; later
batches are their own short transactions under the same record, so a tenant with
years of history never holds a lock for long. The tenant's audit rows lose actor
and details the same way (action and time stay).

The external desk is one-way: the app never deletes there. The result lists every
desk ticket the tenant's requests were handed off to, with its link, for someone to
erase at the desk too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app.models import AuditLog, Erasure, SupportRequest, Tenant
from support_app.models.erasure import ErasureReason
from support_app.services.access import AccessService, Actor, NotFound
from support_app.services.audit import AuditActionId
from support_app.services.capabilities import Capability
from support_app.services.erasure.records import (
    DeskTicket,
    begin_erasure,
    desk_tickets,
    erase_audit_details,
    live_request_ids,
    tombstone,
    unerased_audit_ids,
)

BATCH = 500
COMMAND_LINE_POLICY = "erase-tenant command"

_REQUESTS = SupportRequest.__table__.c  # type: ignore[attr-defined]
_AUDIT = AuditLog.__table__.c  # type: ignore[attr-defined]


class ConfirmationMismatch(Exception):
    """The typed confirmation is not the tenant's name: nothing was erased."""


@dataclass(frozen=True)
class OffboardingResult:
    tenant_id: int
    tenant_name: str
    erasure_id: int | None  # None: nothing was left to erase
    requests_erased: int
    audit_rows_erased: int
    desk_tickets: tuple[DeskTicket, ...]


def confirmation_matches(typed: object, tenant_name: str) -> bool:
    """The confirmation is the tenant's name as shown (surrounding spaces ignored)."""
    return isinstance(typed, str) and typed.strip() == tenant_name.strip()


class TenantOffboardingService:
    def __init__(self, engine: Engine, batch: int = BATCH) -> None:
        self._engine = engine
        self._batch = batch

    def offboard(self, actor: Actor, tenant_id: object, confirmation: object) -> OffboardingResult:
        """The owner's page action: ``NotFound`` out of scope, ``Forbidden`` unless the
        actor owns the tenant's workspace, ``ConfirmationMismatch`` unless the name
        was typed; then every request of the tenant is erased."""
        with Session(self._engine) as session:
            access = AccessService(session)
            tenant = access.resolve_tenant(actor, tenant_id)
            workspace = access.resolve_workspace(actor, tenant.workspace_id)
            access.authorize_workspace(actor, workspace, Capability.WORKSPACE_ERASE_DATA)
        if not confirmation_matches(confirmation, tenant.tenant_name):
            raise ConfirmationMismatch()
        return self._erase(tenant.tenant_id, actor.user_id, None)

    def offboard_by_command(self, tenant_id: int, confirmation: str) -> OffboardingResult:
        """``python -m support_app erase-tenant``: whoever runs it holds the database."""
        with Session(self._engine) as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is None:
                raise NotFound()
            name = tenant.name
        if not confirmation_matches(confirmation, name):
            raise ConfirmationMismatch()
        return self._erase(tenant_id, None, COMMAND_LINE_POLICY)

    def _erase(
        self, tenant_id: int, actor_user_id: int | None, policy: str | None
    ) -> OffboardingResult:
        live = (_REQUESTS.tenant_id == tenant_id,)
        # The offboarding's own audit row names the tenant too; it stays whole.
        audit_rows = (
            _AUDIT.tenant_id == tenant_id,
            _AUDIT.action != AuditActionId.DATA_ERASED.value,
        )
        erasure_id: int | None = None
        requests_erased = audit_rows_erased = 0
        while True:
            with Session(self._engine, expire_on_commit=False) as session:
                tenant = session.get_one(Tenant, tenant_id)
                request_ids = session.execute(live_request_ids(self._batch, *live)).scalars().all()
                audit_ids = (
                    session.execute(unerased_audit_ids(self._batch, *audit_rows)).scalars().all()
                )
                erased = scrubbed = 0
                if request_ids or audit_ids:
                    erasure = self._erasure(session, tenant, erasure_id, actor_user_id, policy)
                    erased = tombstone(session, erasure, request_ids)
                    scrubbed = erase_audit_details(session, erasure, audit_ids)
                if not (erased or scrubbed):
                    # Done, or another offboarding of the tenant is running: leave no
                    # empty record behind.
                    session.rollback()
                    return OffboardingResult(
                        tenant_id,
                        tenant.name,
                        erasure_id,
                        requests_erased,
                        audit_rows_erased,
                        desk_tickets(session, _REQUESTS.tenant_id == tenant_id),
                    )
                session.commit()
                erasure_id = erasure.id
                requests_erased += erased
                audit_rows_erased += scrubbed

    @staticmethod
    def _erasure(
        session: Session,
        tenant: Tenant,
        erasure_id: int | None,
        actor_user_id: int | None,
        policy: str | None,
    ) -> Erasure:
        """The offboarding's record: made with the first batch, reused by the rest."""
        if erasure_id is not None:
            return session.get_one(Erasure, erasure_id)
        remaining = session.execute(
            select(func.count()).where(
                _REQUESTS.tenant_id == tenant.id, _REQUESTS.erasure_id.is_(None)
            )
        ).scalar_one()
        assert tenant.id is not None
        return begin_erasure(
            session,
            workspace_id=tenant.workspace_id,
            tenant_id=tenant.id,
            reason=ErasureReason.OFFBOARDING,
            actor_user_id=actor_user_id,
            policy=policy,
            metadata={"tenant_name": tenant.name, "requests": remaining},
        )
