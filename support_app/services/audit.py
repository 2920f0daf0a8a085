"""Workspace audit logger: append-only rows with redacted, bounded metadata.

The logger only ever adds a row to the caller's session; it never commits. The
caller's action commits it together with the change it describes (one transaction),
so an audit row exists exactly when the audited change does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from support_app.models import AuditLog
from support_app.services.redaction import redact

METADATA_STRING_MAX = 300


class AuditActionId(StrEnum):
    SIGNED_IN = "auth.signed_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGNED_OUT = "auth.signed_out"
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere"
    OPERATION_RUN_COMPLETED = "operation_run.completed"
    FINDING_OPENED = "finding.opened"
    REVIEW_CREATED = "review.created"
    REPORT_GENERATED = "report.generated"
    SUPPORT_REQUEST_CREATED = "support_request.created"
    SUPPORT_REQUEST_EXTERNAL_TICKET_CREATED = "support_request.external_ticket_created"
    SUPPORT_REQUEST_EXTERNAL_TICKET_LINKED = "support_request.external_ticket_linked"
    SUPPORT_REQUEST_EXTERNAL_HANDOFF_FAILED = "support_request.external_handoff_failed"


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value[:METADATA_STRING_MAX]
    if isinstance(value, Mapping):
        return {k: _bounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v) for v in value[:50]]
    return value


class WorkspaceAuditLogger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        action: AuditActionId,
        *,
        workspace_id: int | None,
        actor_user_id: int | None,
        tenant_id: int | None = None,
        subject_type: str | None = None,
        subject_id: str | int | None = None,
        metadata: Mapping[str, Any] | None = None,
        allowed_emails: Iterable[str] = (),
    ) -> AuditLog:
        """Add one audit row (redacted metadata) to the session; the caller commits."""
        row = AuditLog(
            workspace_id=workspace_id,
            tenant_id=tenant_id,
            actor_user_id=actor_user_id,
            action=action.value,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            metadata_json=_bounded(redact(dict(metadata or {}), allowed_emails=allowed_emails)),
        )
        self._session.add(row)
        return row
