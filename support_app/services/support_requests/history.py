"""Support requests an operator can find again: the history lists and the detail view.

Access is the product's one rule (``AccessService``): membership and entitlement
decide what exists for the reader (``NotFound`` otherwise) and every role that may
view the tenant may read its requests, readonly included. A workspace's history
lists only the tenants the reader is entitled to; requests of other tenants are
neither listed nor counted (nothing here counts at all: a count would grow with
the history).

Lists are newest first with a keyset on ``(created_at, id)``: a page is one
backwards walk of an index (migration 0009), as cheap on page 100 as on page 1.
The cursor comes from the browser and is untrusted; it only says where to resume
inside the reader's scope, so a forged one shows at most another page of the same
scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, text, tuple_
from sqlmodel import Session, col, select

from support_app.models import AuditLog, Erasure, SupportRequest, User
from support_app.models.support_request import PENDING_CREATE
from support_app.services.access import (
    AccessService,
    Actor,
    NotFound,
    TenantAccess,
    parse_id,
)
from support_app.services.capabilities import Capability
from support_app.services.support_requests.form import (
    CREATE_EXTERNAL_TICKET,
    INTERNAL_ONLY,
    LINK_EXISTING_TICKET,
)

PAGE_SIZE = 25

# The handoff outcome as a reader names it (list column and filter).
OUTCOME_INTERNAL_ONLY = "internal_only"
OUTCOME_CREATED = "created"
OUTCOME_LINKED = "linked"
OUTCOME_FAILED = "failed"
OUTCOME_PENDING = "pending"
OUTCOMES = (
    OUTCOME_INTERNAL_ONLY,
    OUTCOME_CREATED,
    OUTCOME_LINKED,
    OUTCOME_FAILED,
    OUTCOME_PENDING,
)
CONTEXT_FILTERS = ("tenant", "operation_run")
SUPPORT_REQUEST_SUBJECT = "support_request"

_MODE = col(SupportRequest.external_handoff_mode)
_TICKET = col(SupportRequest.external_ticket_reference)
_FAILURE = col(SupportRequest.external_handoff_failure_summary)
_OUTCOME_CONDITIONS = {
    OUTCOME_INTERNAL_ONLY: _MODE == INTERNAL_ONLY,
    OUTCOME_CREATED: and_(_MODE == CREATE_EXTERNAL_TICKET, _TICKET.is_not(None)),
    OUTCOME_LINKED: and_(_MODE == LINK_EXISTING_TICKET, _TICKET.is_not(None)),
    OUTCOME_FAILED: _FAILURE.is_not(None),
    # Only a create can be pending (a link is finalised with its request). The very
    # text of the partial index's condition (literals, not bound values), so both
    # databases read the few pending rows from it.
    OUTCOME_PENDING: text(PENDING_CREATE),
}


def outcome_of(request: Any) -> str:
    """The handoff outcome of a stored request, in the reader's vocabulary."""
    if request.external_handoff_mode == INTERNAL_ONLY:
        return OUTCOME_INTERNAL_ONLY
    if request.external_handoff_failure_summary is not None:
        return OUTCOME_FAILED
    if request.external_ticket_reference is None:
        return OUTCOME_PENDING
    if request.external_handoff_mode == LINK_EXISTING_TICKET:
        return OUTCOME_LINKED
    return OUTCOME_CREATED


@dataclass(frozen=True)
class HistoryFilters:
    """What the reader narrowed the list to; every value is untrusted browser input.

    Unknown values are ignored rather than refused: a filter can only narrow the
    reader's own scope, never widen it.
    """

    outcome: str = ""
    severity: str = ""
    context: str = ""  # "tenant" | "operation_run" | "" (any)
    run_id: object = None  # one run of the tenant (the run page's link)
    created_by_me: bool = False


@dataclass(frozen=True)
class HistoryRow:
    reference: str
    created_at: datetime
    created_by: str
    tenant_id: int
    tenant_name: str
    context_kind: str
    operation_run_id: int | None
    severity: str
    summary: str
    outcome: str
    external_reference: str | None
    external_url: str | None
    failure_summary: str | None
    failure_kind: str | None
    failure_params: dict[str, Any]
    # A tombstone: when and why its content was erased (None: the request is whole).
    erased_at: datetime | None = None
    erasure_reason: str = ""

    @classmethod
    def of(cls, request: Any, created_by: str, tenant_name: str, erasure: Any = None) -> HistoryRow:
        """From a ``SupportRequest`` or a row of ``LIST_COLUMNS`` (same attribute names);
        ``erasure`` is the tombstone's record or the row's erasure columns."""
        return cls(
            reference=request.reference,
            created_at=request.created_at,
            created_by=created_by,
            tenant_id=request.tenant_id,
            tenant_name=tenant_name,
            context_kind=request.primary_context_type,
            operation_run_id=request.operation_run_id,
            severity=request.severity,
            summary=request.summary,
            outcome=outcome_of(request),
            external_reference=request.external_ticket_reference,
            external_url=request.external_ticket_url,
            failure_summary=request.external_handoff_failure_summary,
            failure_kind=request.external_handoff_failure_kind,
            failure_params=dict(request.external_handoff_failure_params or {}),
            erased_at=getattr(erasure, "erased_at", None),
            erasure_reason=getattr(erasure, "reason", None) or "",
        )


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_cursor: str  # "" on the last page


@dataclass(frozen=True)
class TenantHistory:
    tenant: TenantAccess
    page: HistoryPage
    # The reader owns the workspace: the page offers the customer's offboarding.
    can_erase_data: bool = False


@dataclass(frozen=True)
class WorkspaceHistory:
    workspace_id: int
    workspace_name: str
    tenants: tuple[TenantAccess, ...]
    page: HistoryPage


@dataclass(frozen=True)
class AuditEntry:
    action: str
    created_at: datetime
    actor: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SupportRequestDetail:
    row: HistoryRow
    tenant: TenantAccess
    reproduction_notes: str | None
    contact_name: str | None
    contact_email: str | None
    attachment_mode: str
    handoff_mode: str
    # The stored envelope; the diagnostic snapshot in it is withheld (replaced by
    # ``SNAPSHOT_WITHHELD``) unless the reader has ``support_diagnostics.view``.
    context_envelope: dict[str, Any]
    snapshot_attached: bool
    snapshot_visible: bool
    audit_trail: list[AuditEntry]
    can_redact: bool


SNAPSHOT_WITHHELD: dict[str, str] = {
    "marker": "withheld",
    "reason": "capability_missing:support_diagnostics.view",
}


def encode_cursor(row: HistoryRow, request_id: int) -> str:
    return f"{row.created_at.isoformat()}~{request_id}"


def decode_cursor(raw: object) -> tuple[datetime, int] | None:
    """``(created_at, id)`` to resume after, or None (first page) for anything else."""
    if not isinstance(raw, str) or len(raw) > 64 or "~" not in raw:
        return None
    stamp, _, raw_id = raw.rpartition("~")
    try:
        created_at = datetime.fromisoformat(stamp)
        return created_at, parse_id(raw_id)
    except (ValueError, NotFound):
        return None


def _filtered(query, actor: Actor, filters: HistoryFilters, run_id: int | None):
    if filters.outcome in _OUTCOME_CONDITIONS:
        query = query.where(_OUTCOME_CONDITIONS[filters.outcome])
    if isinstance(filters.severity, str) and filters.severity:
        query = query.where(SupportRequest.severity == filters.severity)
    if filters.context in CONTEXT_FILTERS:
        query = query.where(SupportRequest.primary_context_type == filters.context)
    if run_id is not None:
        # The context type is implied (a request with a run is run-scoped by
        # constraint); naming it lets the run's history index give the order.
        query = query.where(
            SupportRequest.operation_run_id == run_id,
            SupportRequest.primary_context_type == "operation_run",
        )
    if filters.created_by_me is True:
        query = query.where(SupportRequest.created_by_user_id == actor.user_id)
    return query


def _page(
    session: Session,
    query,
    cursor: object,
    limit: int,
    tenant_names: dict[int, str],
) -> HistoryPage:
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(
            tuple_(col(SupportRequest.created_at), col(SupportRequest.id)) < tuple_(*after)
        )
    query = query.order_by(
        col(SupportRequest.created_at).desc(), col(SupportRequest.id).desc()
    ).limit(limit + 1)
    found = list(session.exec(query).all())
    more = len(found) > limit
    found = found[:limit]
    rows = [
        HistoryRow.of(r, r.display_name, tenant_names.get(r.tenant_id, ""), r if r.reason else None)
        for r in found
    ]
    next_cursor = encode_cursor(rows[-1], found[-1].id) if more else ""
    return HistoryPage(rows, next_cursor)


# What a list row shows: never the context envelope, whose JSON (the diagnostic
# snapshot) would cost more to load and parse than everything else on the page.
LIST_COLUMNS = (
    SupportRequest.id,
    SupportRequest.reference,
    SupportRequest.created_at,
    SupportRequest.tenant_id,
    SupportRequest.primary_context_type,
    SupportRequest.operation_run_id,
    SupportRequest.severity,
    SupportRequest.summary,
    SupportRequest.external_handoff_mode,
    SupportRequest.external_ticket_reference,
    SupportRequest.external_ticket_url,
    SupportRequest.external_handoff_failure_summary,
    SupportRequest.external_handoff_failure_kind,
    SupportRequest.external_handoff_failure_params,
)


def _with_creator():
    """The list columns with the creator's name and, for a tombstone, its erasure (one
    primary-key step per row shown)."""
    return (
        select(*LIST_COLUMNS, User.display_name, Erasure.erased_at, Erasure.reason)
        .join(User, col(User.id) == col(SupportRequest.created_by_user_id))
        .outerjoin(Erasure, col(Erasure.id) == col(SupportRequest.erasure_id))
    )


class SupportRequestHistoryService:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._access = AccessService(session)

    def for_tenant(
        self,
        actor: Actor,
        tenant_id: object,
        filters: HistoryFilters = HistoryFilters(),
        cursor: object = None,
        limit: int = PAGE_SIZE,
    ) -> TenantHistory:
        """A tenant's requests, newest first; NotFound out of scope (readonly may read).

        A run filter names a run of this tenant (resolved with the run rule); a run of
        another tenant is not found, like any run the reader may not see.
        """
        tenant = self._access.resolve_tenant(actor, tenant_id)
        run_id = None
        if filters.run_id not in (None, ""):
            run = self._access.resolve_run(actor, filters.run_id)
            if run.tenant.tenant_id != tenant.tenant_id:
                raise NotFound
            run_id = run.run.id
        query = _with_creator().where(SupportRequest.tenant_id == tenant.tenant_id)
        query = _filtered(query, actor, filters, run_id)
        names = {tenant.tenant_id: tenant.tenant_name}
        page = _page(self._session, query, cursor, limit, names)
        workspace = self._access.resolve_workspace(actor, tenant.workspace_id)
        return TenantHistory(tenant, page, workspace.can(Capability.WORKSPACE_ERASE_DATA))

    def for_workspace(
        self,
        actor: Actor,
        workspace_id: object,
        filters: HistoryFilters = HistoryFilters(),
        cursor: object = None,
        limit: int = PAGE_SIZE,
    ) -> WorkspaceHistory:
        """The requests of every tenant of the workspace the reader is entitled to."""
        workspace = self._access.resolve_workspace(actor, workspace_id)
        names = {t.tenant_id: t.tenant_name for t in workspace.tenants}
        if not names:
            page = HistoryPage([], "")
        else:
            query = _with_creator().where(
                SupportRequest.workspace_id == workspace.workspace_id,
                col(SupportRequest.tenant_id).in_(sorted(names)),
            )
            query = _filtered(query, actor, filters, None)
            page = _page(self._session, query, cursor, limit, names)
        return WorkspaceHistory(
            workspace.workspace_id, workspace.workspace_name, workspace.tenants, page
        )

    def detail(self, actor: Actor, reference: object) -> SupportRequestDetail:
        """Everything stored about one request; NotFound out of scope.

        The diagnostic snapshot is shown only to readers with
        ``support_diagnostics.view``; others learn that one was attached, nothing more.
        """
        found = self._access.resolve_support_request(actor, reference)
        request, tenant = found.request, found.tenant
        creator = self._session.get(User, request.created_by_user_id)
        erasure = self._session.get(Erasure, request.erasure_id) if request.erasure_id else None
        envelope = dict(request.context_envelope)
        attachment = dict(envelope.get("attachment") or {})
        attached = attachment.get("mode") == "diagnostic_snapshot"
        visible = attached and tenant.can(Capability.SUPPORT_DIAGNOSTICS_VIEW)
        if attached and not visible:
            attachment["diagnostic_snapshot"] = dict(SNAPSHOT_WITHHELD)
            envelope["attachment"] = attachment
        return SupportRequestDetail(
            row=HistoryRow.of(
                request, creator.display_name if creator else "", tenant.tenant_name, erasure
            ),
            tenant=tenant,
            reproduction_notes=request.reproduction_notes,
            contact_name=request.contact_name,
            contact_email=request.contact_email,
            attachment_mode=request.attachment_mode,
            handoff_mode=request.external_handoff_mode,
            context_envelope=envelope,
            snapshot_attached=attached,
            snapshot_visible=visible,
            audit_trail=self._audit_trail(request),
            can_redact=tenant.can(Capability.SUPPORT_REQUESTS_REDACT),
        )

    def _audit_trail(self, request: SupportRequest) -> list[AuditEntry]:
        rows = self._session.exec(
            select(AuditLog, User.display_name)
            .outerjoin(User, col(User.id) == col(AuditLog.actor_user_id))
            .where(
                AuditLog.subject_type == SUPPORT_REQUEST_SUBJECT,
                AuditLog.subject_id == request.reference,
            )
            .order_by(col(AuditLog.id))
        ).all()
        return [
            AuditEntry(row.action, row.created_at, name or "", dict(row.metadata_json or {}))
            for row, name in rows
        ]
