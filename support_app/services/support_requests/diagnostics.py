"""The redacted support-diagnostics bundle for a tenant or an operation run.

One builder serves both the "Open support diagnostics" view and the diagnostic
snapshot a support request may carry, so what an operator sees is exactly what
support receives. It reads only named, support-safe columns (never
``OperationRun.raw_provider_payload``) and redacts every free text, then redacts
the whole bundle once more as a last line of defence.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from support_app.models import AuditLog, OperationRun, ProviderConnection, Report, Review
from support_app.models.clock import iso_utc
from support_app.services.access import AccessService, Actor
from support_app.services.capabilities import Capability
from support_app.services.dashboard import (
    latest_document,
    open_finding_counts,
    recent_runs,
    tenant_connections,
)
from support_app.services.redaction import redact, redact_text
from support_app.services.support_requests.scope import SupportContext, SupportScope

RECENT_RUNS = 10
RECENT_AUDIT_ACTIONS = 10
# A request's own audit trail is left out, so raising one request does not change
# the snapshot the next identical request carries.
_SELF_AUDIT_PREFIX = "support_request."

MISSING: dict[str, str] = {"marker": "missing"}

# Built once (see ``dashboard``: per-call construction outweighs the query itself).
_RECENT_AUDIT_ACTIONS = (
    select(AuditLog.action, AuditLog.created_at)
    .where(
        AuditLog.tenant_id == bindparam("tenant_id"),
        col(AuditLog.action).not_like(f"{_SELF_AUDIT_PREFIX}%"),
    )
    .order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
    .limit(RECENT_AUDIT_ACTIONS)
)


def run_summary(run: OperationRun) -> dict[str, Any]:
    """The support-safe view of one run (shared with the context envelope)."""
    return {
        "id": run.id,
        "type": run.type,
        "status": run.status,
        "outcome": run.outcome,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "failure_summary": redact_text(run.failure_summary) if run.failure_summary else None,
    }


class TenantReads:
    """What a support context and its diagnostic snapshot both show of one tenant.

    The envelope's references and the snapshot it carries repeat the connections,
    the latest review and report and the open-finding counts; each is read at most
    once per envelope through this object.
    """

    def __init__(self, session: Session, tenant_id: int) -> None:
        self._session = session
        self.tenant_id = tenant_id
        self._documents: dict[type, Review | Report | None] = {}

    @cached_property
    def connections(self) -> list[ProviderConnection]:
        return tenant_connections(self._session, self.tenant_id)

    @cached_property
    def open_finding_counts(self) -> dict[str, int]:
        return open_finding_counts(self._session, self.tenant_id)

    def document_reference(self, model: type[Review] | type[Report]) -> dict[str, Any]:
        """The newest review or report as a reference, or the missing marker."""
        if model not in self._documents:
            self._documents[model] = latest_document(self._session, model, self.tenant_id)
        row = self._documents[model]
        if row is None:
            return dict(MISSING)
        return {
            "id": row.id,
            "title": redact_text(row.title),
            "status": row.status,
            "created_at": iso_utc(row.created_at),
        }


class SupportDiagnosticBundleBuilder:
    """Builds the bundle; the caller has already resolved and authorised the scope."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def build(self, scope: SupportScope) -> dict[str, Any]:
        """The bundle, redacted as a whole."""
        return redact(self.contents(scope, TenantReads(self._session, scope.tenant.tenant_id)))

    def contents(self, scope: SupportScope, reads: TenantReads) -> dict[str, Any]:
        """The bundle with its free texts redacted but not yet the whole: for a support
        context envelope, which redacts itself as a whole (once, snapshot included) and
        shares ``reads`` with the bundle."""
        tenant = scope.tenant
        bundle: dict[str, Any] = {
            "tenant": {"id": tenant.tenant_id, "name": tenant.tenant_name},
            "provider_connections": [_connection(c) for c in reads.connections],
            "recent_operation_runs": [
                run_summary(r) for r in recent_runs(self._session, tenant.tenant_id, RECENT_RUNS)
            ],
            "open_findings_by_severity": reads.open_finding_counts,
            "latest_review": reads.document_reference(Review),
            "latest_report": reads.document_reference(Report),
            "recent_audit_actions": self._recent_audit_actions(tenant.tenant_id),
        }
        if scope.run is not None:
            bundle["operation_run"] = run_summary(scope.run)
        return bundle

    def _recent_audit_actions(self, tenant_id: int) -> list[dict[str, Any]]:
        rows = self._session.exec(_RECENT_AUDIT_ACTIONS, params={"tenant_id": tenant_id}).all()
        return [{"action": action, "created_at": iso_utc(at)} for action, at in rows]


def _connection(c: ProviderConnection) -> dict[str, Any]:
    return {
        "id": c.id,
        "provider": c.provider,
        "display_name": c.display_name,
        "status": c.status,
        "last_checked_at": iso_utc(c.last_checked_at),
        "last_error": redact_text(c.last_error) if c.last_error else None,
    }


class SupportDiagnosticsService:
    """The "Open support diagnostics" entry point: access, capability, then the bundle."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def bundle_for(self, actor: Actor, context: SupportContext) -> dict[str, Any]:
        scope = context.authorize(
            AccessService(self._session), actor, Capability.SUPPORT_DIAGNOSTICS_VIEW
        )
        return SupportDiagnosticBundleBuilder(self._session).build(scope)
