"""Where a support request is raised from, and its resolution through access rules.

The browser only ever says "tenant 7" or "run 42"; ``SupportContext.authorize`` turns
that into a ``SupportScope`` through ``AccessService`` with the signed-in actor and
checks the capability, so the dialog, submission, the latest-handoff summary and the
diagnostics view apply the same 404/403 rules (and record denials) from one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from support_app.models import OperationRun
from support_app.services.access import (
    OPERATION_RUN,
    TENANT,
    AccessService,
    Actor,
    NotFound,
    TenantAccess,
)
from support_app.services.capabilities import Capability

CONTEXT_KINDS = (TENANT, OPERATION_RUN)


@dataclass(frozen=True)
class SupportScope:
    """A resolved, in-scope context: the tenant, and the run when run-scoped."""

    tenant: TenantAccess
    run: OperationRun | None = None

    @property
    def kind(self) -> str:
        return TENANT if self.run is None else OPERATION_RUN


@dataclass(frozen=True)
class SupportContext:
    """An untrusted context: ``kind`` and the raw id exactly as the browser sent it."""

    kind: str
    raw_id: object

    def resolve(self, access: AccessService, actor: Actor) -> SupportScope:
        """The scope, or ``NotFound`` (unknown kind or id, not a member, not entitled)."""
        if self.kind == TENANT:
            return SupportScope(tenant=access.resolve_tenant(actor, self.raw_id))
        if self.kind == OPERATION_RUN:
            found = access.resolve_run(actor, self.raw_id)
            return SupportScope(tenant=found.tenant, run=found.run)
        raise NotFound

    def authorize(
        self, access: AccessService, actor: Actor, capability: Capability
    ) -> SupportScope:
        """``resolve``, then ``Forbidden`` unless the actor's role grants ``capability``."""
        scope = self.resolve(access, actor)
        access.authorize(
            actor, scope.tenant, capability, context_kind=self.kind, raw_id=self.raw_id
        )
        return scope

    def same_as(self, other: SupportContext | None) -> bool:
        """Whether ``other`` names the same record (ids compared as the browser wrote them)."""
        return other is not None and (self.kind, str(self.raw_id)) == (
            other.kind,
            str(other.raw_id),
        )
