"""Workspace audit logger: append-only rows with redacted, bounded metadata.

The logger only ever adds a row to the caller's session; it never commits. The
caller's action commits it together with the change it describes (one transaction),
so an audit row exists exactly when the audited change does.

The one exception is ``record_access_denied``: a denial changes nothing, and the
caller's transaction is usually rolled back by the very error being recorded, so it
writes (and commits) its row on a connection of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from support_app.models import AuditLog
from support_app.models.clock import utcnow
from support_app.services.redaction import redact, redact_text

logger = logging.getLogger(__name__)

METADATA_STRING_MAX = 300
# A flood of forged events must not fill the audit log: at most this many
# ``access.denied`` rows per actor per minute (counted in the table itself, so the
# bound holds across workers). Later denials in that minute are answered as usual.
ACCESS_DENIED_PER_ACTOR_PER_MINUTE = 20
DENIED_RAW_ID_MAX = 64
_DENIED_RAW_ID_SCAN = 4096  # how much of a huge forged id is looked at at all


class AuditActionId(StrEnum):
    SIGNED_IN = "auth.signed_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_IN_REFUSALS_SUMMARISED = "auth.sign_in_refusals_summarised"
    SIGNED_OUT = "auth.signed_out"
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere"
    ACCESS_DENIED = "access.denied"
    OPERATION_RUN_COMPLETED = "operation_run.completed"
    FINDING_OPENED = "finding.opened"
    REVIEW_CREATED = "review.created"
    REPORT_GENERATED = "report.generated"
    SUPPORT_REQUEST_CREATED = "support_request.created"
    SUPPORT_REQUEST_EXTERNAL_TICKET_CREATED = "support_request.external_ticket_created"
    SUPPORT_REQUEST_EXTERNAL_TICKET_LINKED = "support_request.external_ticket_linked"
    SUPPORT_REQUEST_EXTERNAL_HANDOFF_FAILED = "support_request.external_handoff_failed"
    SUPPORT_REQUEST_REDACTED = "support_request.redacted"
    DATA_ERASED = "data.erased"
    PERSONAL_DATA_EXPORTED = "data.personal_data_exported"
    RETENTION_PERIOD_SET = "workspace.retention_period_set"


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


@dataclass(frozen=True)
class AccessDenial:
    """A not-found or forbidden answer to a signed-in actor, as the browser asked it.

    ``raw_id`` is whatever the browser sent (any type, any length); the workspace and
    tenant are known only for ``forbidden`` (for ``not_found`` the actor must not
    learn, and the log must not say, whose record it might have been).
    """

    actor_user_id: int
    outcome: str  # "not_found" | "forbidden"
    context_kind: str
    raw_id: object
    workspace_id: int | None = None
    tenant_id: int | None = None
    capability: str | None = None


def printable_raw_id(raw_id: object) -> str:
    """An untrusted id as a short, single-line text for the log (bounded, no controls)."""
    if isinstance(raw_id, str):
        text = raw_id
    elif raw_id is None or isinstance(raw_id, int | float):
        text = repr(raw_id)
    else:  # a structure from a forged event: its type says enough, its size is unbounded
        text = f"<{type(raw_id).__name__}>"
    # Redacted before it is cut, so a secret cut in half is still recognised.
    text = redact_text(text[:_DENIED_RAW_ID_SCAN])
    text = "".join(ch if ch.isprintable() else "?" for ch in text[: DENIED_RAW_ID_MAX + 1])
    return text if len(text) <= DENIED_RAW_ID_MAX else text[: DENIED_RAW_ID_MAX - 1] + "…"


def record_access_denied(engine: Engine, denial: AccessDenial) -> bool:
    """Add one ``access.denied`` row (own transaction) unless the actor's minute is full.

    Returns whether a row was written. A failure to write is logged, never raised:
    the denial itself must still reach the browser.
    """
    since = utcnow() - timedelta(minutes=1)
    try:
        with Session(engine) as session:
            recent = session.exec(
                select(func.count())
                .select_from(AuditLog)
                .where(
                    AuditLog.action == AuditActionId.ACCESS_DENIED.value,
                    AuditLog.actor_user_id == denial.actor_user_id,
                    AuditLog.created_at >= since,
                )
            ).one()
            if recent >= ACCESS_DENIED_PER_ACTOR_PER_MINUTE:
                return False
            metadata: dict[str, Any] = {
                "outcome": denial.outcome,
                "context_kind": denial.context_kind,
                "raw_id": printable_raw_id(denial.raw_id),
            }
            if denial.capability:
                metadata["capability"] = denial.capability
            WorkspaceAuditLogger(session).record(
                AuditActionId.ACCESS_DENIED,
                workspace_id=denial.workspace_id,
                tenant_id=denial.tenant_id,
                actor_user_id=denial.actor_user_id,
                subject_type=denial.context_kind[:50],
                metadata=metadata,
            )
            session.commit()
            return True
    except SQLAlchemyError:
        logger.warning("could not record an access denial", exc_info=True)
        return False
