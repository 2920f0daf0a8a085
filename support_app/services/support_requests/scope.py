"""Where a support request is raised from, and its resolution through access rules.

The browser only ever says "tenant 7" or "run 42"; ``SupportContext.resolve`` turns
that into a ``SupportScope`` through ``AccessService`` with the signed-in actor, so
submission, the latest-handoff summary and the diagnostics view apply the same
404 rule from one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from support_app.models import OperationRun
from support_app.services.access import AccessService, Actor, NotFound, TenantAccess

TENANT = "tenant"
OPERATION_RUN = "operation_run"
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
