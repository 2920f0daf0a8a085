"""``SupportRequestContextBuilder``: the case context a support request carries.

The envelope is what support reads instead of asking the operator to re-type the
case. Rules it keeps:
- deterministic: the same authorised input gives byte-identical canonical JSON
  (sorted keys, record timestamps only, no capture time inside);
- canonical references (ids, types, statuses) to the related records, with explicit
  ``missing`` (no such record) and ``inaccessible`` (exists, but this actor's role
  may not view that kind of record) markers instead of silent gaps;
- the diagnostic snapshot only in ``diagnostic_snapshot`` mode, otherwise an
  explicit ``omitted`` marker;
- never a raw provider payload, token or secret: only named support-safe columns
  are read, free texts are redacted, and the whole envelope is redacted again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from support_app.models import OperationRun, Report, Review
from support_app.services.access import TenantAccess
from support_app.services.capabilities import Capability
from support_app.services.dashboard import first_open_findings
from support_app.services.redaction import redact
from support_app.services.support_requests.diagnostics import (
    MISSING,
    SupportDiagnosticBundleBuilder,
    TenantReads,
    run_summary,
)
from support_app.services.support_requests.scope import SupportScope

SCHEMA_VERSION = 1
DIAGNOSTIC_SNAPSHOT = "diagnostic_snapshot"
CANONICAL_CONTEXT_ONLY = "canonical_context_only"
OPEN_FINDINGS_LIMIT = 20

INACCESSIBLE: dict[str, str] = {"marker": "inaccessible"}
SNAPSHOT_OMITTED: dict[str, str] = {
    "marker": "omitted",
    "reason": "capability_missing:support_diagnostics.view",
}
# Stated in every envelope so a reader knows what was left out on purpose.
EXCLUDED_BY_POLICY = (
    "operation_runs.raw_provider_payload",
    "provider credentials and tokens",
    "user passwords and sessions",
)


# Built once (see ``dashboard``). Without a primary run the bound id is NULL, and
# "is distinct from NULL" holds for every run.
_LATEST_FAILED_RUN = (
    select(OperationRun.id, OperationRun.type, OperationRun.status)
    .where(
        OperationRun.tenant_id == bindparam("tenant_id"),
        OperationRun.outcome == "failed",
        col(OperationRun.id).is_distinct_from(bindparam("primary_run_id")),
    )
    .order_by(col(OperationRun.created_at).desc(), col(OperationRun.id).desc())
    .limit(1)
)


def attachment_mode_for(tenant: TenantAccess) -> str:
    """The snapshot only for roles that may view diagnostics; never blocks a request."""
    if tenant.can(Capability.SUPPORT_DIAGNOSTICS_VIEW):
        return DIAGNOSTIC_SNAPSHOT
    return CANONICAL_CONTEXT_ONLY


class SupportRequestContextBuilder:
    def __init__(self, session: Session) -> None:
        self._session = session

    def build(self, scope: SupportScope, attachment_mode: str) -> dict[str, Any]:
        """The envelope for an already resolved and authorised ``scope``."""
        if attachment_mode not in (DIAGNOSTIC_SNAPSHOT, CANONICAL_CONTEXT_ONLY):
            raise ValueError(f"unknown attachment mode {attachment_mode!r}")
        reads = TenantReads(self._session, scope.tenant.tenant_id)
        envelope: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "primary_context": self._primary_context(scope),
            "references": self._references(scope, reads),
            "attachment": {
                "mode": attachment_mode,
                "diagnostic_snapshot": (
                    SupportDiagnosticBundleBuilder(self._session).contents(scope, reads)
                    if attachment_mode == DIAGNOSTIC_SNAPSHOT
                    else dict(SNAPSHOT_OMITTED)
                ),
            },
            "redaction": {"applied": True, "excluded": list(EXCLUDED_BY_POLICY)},
        }
        return redact(envelope)  # the whole envelope, snapshot included, once

    @staticmethod
    def _primary_context(scope: SupportScope) -> dict[str, Any]:
        primary: dict[str, Any] = {
            "type": scope.kind,
            "workspace_id": scope.tenant.workspace_id,
            "tenant_id": scope.tenant.tenant_id,
        }
        if scope.run is not None:
            primary["operation_run_id"] = scope.run.id
        return primary

    def _references(self, scope: SupportScope, reads: TenantReads) -> dict[str, Any]:
        tenant = scope.tenant
        tid = tenant.tenant_id
        references: dict[str, Any] = {
            # Already read with the access check (a tenant always has its workspace).
            "workspace": {"id": tenant.workspace_id, "name": tenant.workspace_name},
            "tenant": {"id": tid, "name": tenant.tenant_name},
            "provider_connections": self._guarded(
                scope, Capability.TENANT_VIEW, lambda: self._connections(reads)
            ),
            "latest_failed_operation_run": self._guarded(
                scope, Capability.OPERATION_RUNS_VIEW, lambda: self._latest_failed_run(scope)
            ),
            "open_findings": self._guarded(
                scope, Capability.TENANT_VIEW, lambda: self._open_findings(reads)
            ),
            "latest_review": self._guarded(
                scope, Capability.TENANT_VIEW, partial(reads.document_reference, Review)
            ),
            "latest_report": self._guarded(
                scope, Capability.TENANT_VIEW, partial(reads.document_reference, Report)
            ),
        }
        if scope.run is not None:
            references["operation_run"] = run_summary(scope.run)
        return references

    @staticmethod
    def _guarded(scope: SupportScope, capability: Capability, read: Callable[[], Any]) -> Any:
        """``read()`` when the actor may view this kind of record, else the marker."""
        return read() if scope.tenant.can(capability) else dict(INACCESSIBLE)

    @staticmethod
    def _connections(reads: TenantReads) -> list[dict[str, Any]] | dict[str, str]:
        rows = reads.connections
        if not rows:
            return dict(MISSING)
        return [{"id": c.id, "provider": c.provider, "status": c.status} for c in rows]

    def _latest_failed_run(self, scope: SupportScope) -> dict[str, Any]:
        """The tenant's newest failed run other than the primary one, or ``missing``."""
        run = self._session.exec(
            _LATEST_FAILED_RUN,
            params={
                "tenant_id": scope.tenant.tenant_id,
                "primary_run_id": scope.run.id if scope.run is not None else None,
            },
        ).first()
        return run._asdict() if run else dict(MISSING)

    def _open_findings(self, reads: TenantReads) -> dict[str, Any]:
        """The count of every open finding and the first few (count from the index)."""
        count = sum(reads.open_finding_counts.values())
        if not count:
            return dict(MISSING)
        rows = first_open_findings(self._session, reads.tenant_id, OPEN_FINDINGS_LIMIT)
        return {"count": count, "items": [{"id": fid, "severity": sev} for fid, sev in rows]}
