"""The one audited way for data to end (``models/erasure.py``, migration 0011).

``begin_erasure`` adds the ``data.erased`` audit row and the append-only
``Erasure`` record to the caller's session; ``tombstone`` and ``erase_audit_details``
then apply it to rows, each with a conditional UPDATE (only rows not erased yet), so
a second run or a racing process changes nothing twice. The caller commits: the
record, its audit row and the changed rows are one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from support_app.models import AuditLog, Erasure, SupportRequest
from support_app.models.erasure import (
    ERASED_AUDIT_METADATA_KEY,
    ERASURE_MARKER,
    NOTE_MAX,
    ErasureReason,
)
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger

_REQUESTS = SupportRequest.__table__  # type: ignore[attr-defined]
_AUDIT = AuditLog.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DeskTicket:
    """A desk ticket an erased request was handed off to: the desk is one-way, so
    someone must erase it there too."""

    reference: str
    ticket_reference: str
    ticket_url: str | None


def desk_tickets(session: Session, *conditions: Any) -> tuple[DeskTicket, ...]:
    """The desk tickets of the requests matching ``conditions``, oldest first."""
    rows = session.execute(
        select(
            _REQUESTS.c.reference,
            _REQUESTS.c.external_ticket_reference,
            _REQUESTS.c.external_ticket_url,
        )
        .where(_REQUESTS.c.external_ticket_reference.is_not(None), *conditions)
        .order_by(_REQUESTS.c.created_at, _REQUESTS.c.id)
    ).all()
    return tuple(DeskTicket(*row) for row in rows)


def begin_erasure(
    session: Session,
    *,
    workspace_id: int,
    reason: ErasureReason,
    actor_user_id: int | None,
    policy: str | None = None,
    tenant_id: int | None = None,
    note: str = "",
    metadata: Mapping[str, Any] | None = None,
) -> Erasure:
    """The erasure record and its audit row, flushed (the record has its id)."""
    audit = WorkspaceAuditLogger(session).record(
        AuditActionId.DATA_ERASED,
        workspace_id=workspace_id,
        tenant_id=tenant_id,
        actor_user_id=actor_user_id,
        subject_type="erasure",
        metadata={
            "reason": reason.value,
            **({"policy": policy} if policy else {}),
            **(metadata or {}),
        },
    )
    session.flush()
    erasure = Erasure(
        workspace_id=workspace_id,
        tenant_id=tenant_id,
        reason=reason.value,
        erased_by_user_id=actor_user_id,
        policy=policy,
        note=note[:NOTE_MAX],
        audit_log_id=audit.id,
    )
    session.add(erasure)
    session.flush()
    return erasure


def tombstone_envelope(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope a tombstone keeps: its identity and the marker, no values."""
    attachment = envelope.get("attachment")
    mode = attachment.get("mode") if isinstance(attachment, Mapping) else None
    return {
        "schema_version": envelope.get("schema_version"),
        "primary_context": envelope.get("primary_context"),
        "attachment": {"mode": mode},
        "erased": ERASURE_MARKER,
    }


def tombstone(session: Session, erasure: Erasure, request_ids: Sequence[int]) -> int:
    """Make the named requests that are not tombstones yet tombstones of ``erasure``;
    how many it changed."""
    if not request_ids:
        return 0
    envelopes = session.execute(
        select(_REQUESTS.c.id, _REQUESTS.c.context_envelope).where(
            _REQUESTS.c.id.in_(request_ids), _REQUESTS.c.erasure_id.is_(None)
        )
    ).all()
    if not envelopes:
        return 0
    statement = (
        update(_REQUESTS)
        .where(_REQUESTS.c.id == bindparam("row_id"), _REQUESTS.c.erasure_id.is_(None))
        .values(
            summary=ERASURE_MARKER,
            reproduction_notes=None,
            contact_name=None,
            contact_email=None,
            context_envelope=bindparam("envelope"),
            erasure_id=erasure.id,
        )
    )
    params = [
        {"row_id": row_id, "envelope": tombstone_envelope(envelope or {})}
        for row_id, envelope in envelopes
    ]
    return session.connection().execute(statement, params).rowcount


def erase_audit_details(session: Session, erasure: Erasure, audit_ids: Sequence[int]) -> int:
    """Strip actor and details from the named audit rows not erased yet (action, subject
    and time stay); how many it changed."""
    if not audit_ids:
        return 0
    return (
        session.connection()
        .execute(
            update(_AUDIT)
            .where(_AUDIT.c.id.in_(audit_ids), _AUDIT.c.erasure_id.is_(None))
            .values(
                actor_user_id=None,
                metadata_json={ERASED_AUDIT_METADATA_KEY: erasure.reason},
                erasure_id=erasure.id,
            )
        )
        .rowcount
    )


def live_request_ids(query_limit: int, *conditions: Any) -> Any:
    """The oldest requests matching ``conditions`` that are not tombstones yet."""
    return (
        select(_REQUESTS.c.id)
        .where(_REQUESTS.c.erasure_id.is_(None), *conditions)
        .order_by(_REQUESTS.c.created_at, _REQUESTS.c.id)
        .limit(query_limit)
    )


def unerased_audit_ids(query_limit: int, *conditions: Any) -> Any:
    """The oldest audit rows matching ``conditions`` whose details are not erased yet."""
    return (
        select(_AUDIT.c.id)
        .where(_AUDIT.c.erasure_id.is_(None), *conditions)
        .order_by(_AUDIT.c.created_at, _AUDIT.c.id)
        .limit(query_limit)
    )
