"""The latest external handoff in one context (a tenant's dashboard or one run).

One shared scoped read for both contexts, behind the same access boundary as
submitting: out of scope → ``NotFound``, no ``support_requests.create`` →
``Forbidden``. It answers "what happened the last time someone here handed a
request to the support desk", including a failure, so the failure stays visible
after the dialog is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from support_app.canonical_json import canonical_json
from support_app.models import SupportRequest
from support_app.models.support_request import HANDOFF_ATTEMPTED
from support_app.services.access import AccessService, Actor
from support_app.services.capabilities import Capability
from support_app.services.dashboard import format_time
from support_app.services.support_requests.form import LINK_EXISTING_TICKET
from support_app.services.support_requests.scope import SupportContext, SupportScope


@dataclass(frozen=True)
class LatestHandoffSummary:
    reference: str
    handoff_mode: str
    outcome: str  # created | linked | failed | pending
    external_reference: str | None
    external_url: str | None
    failure_summary: str | None
    failure_kind: str | None
    failure_params: dict[str, str | int]
    created_at: datetime

    @classmethod
    def of(cls, request: SupportRequest) -> LatestHandoffSummary:
        if request.external_handoff_failure_summary:
            outcome = "failed"
        elif request.external_ticket_reference:
            outcome = (
                "linked" if request.external_handoff_mode == LINK_EXISTING_TICKET else "created"
            )
        else:
            outcome = "pending"
        return cls(
            reference=request.reference,
            handoff_mode=request.external_handoff_mode,
            outcome=outcome,
            external_reference=request.external_ticket_reference,
            external_url=request.external_ticket_url,
            failure_summary=request.external_handoff_failure_summary,
            failure_kind=request.external_handoff_failure_kind,
            failure_params=dict(request.external_handoff_failure_params or {}),
            created_at=request.created_at,
        )

    def as_display(self) -> dict[str, str]:
        """Plain strings for the dialog ("" for absent values)."""
        return {
            "reference": self.reference,
            "mode": self.handoff_mode,
            "outcome": self.outcome,
            "external_reference": self.external_reference or "",
            "external_url": self.external_url or "",
            "failure_summary": self.failure_summary or "",
            "failure_kind": self.failure_kind or "",
            "failure_params": canonical_json(self.failure_params),
            "created": format_time(self.created_at),
        }


def _newest_attempt(*conditions) -> SelectOfScalar[SupportRequest]:
    return (
        select(SupportRequest)
        .where(HANDOFF_ATTEMPTED, *conditions)
        .order_by(col(SupportRequest.created_at).desc(), col(SupportRequest.id).desc())
        .limit(1)
    )


# Built once (per-call construction outweighs the query; see ``dashboard``). The run
# scope names only the run: a run belongs to one tenant and a request with a run is
# run-scoped by constraint, and a tenant condition here would let SQLite pick the
# tenant's index instead.
_IN_TENANT_CONTEXT = _newest_attempt(
    SupportRequest.tenant_id == bindparam("tenant_id"),
    SupportRequest.primary_context_type == bindparam("kind"),
)
_IN_RUN_CONTEXT = _newest_attempt(SupportRequest.operation_run_id == bindparam("run_id"))


def latest_handoff_in(session: Session, scope: SupportScope) -> LatestHandoffSummary | None:
    """The newest request raised in exactly this context that attempted a handoff:
    one step into a partial index (``HANDOFF_ATTEMPTED``) of the tenant or of the run."""
    if scope.run is None:
        query, params = (
            _IN_TENANT_CONTEXT,
            {"tenant_id": scope.tenant.tenant_id, "kind": scope.kind},
        )
    else:
        query, params = _IN_RUN_CONTEXT, {"run_id": scope.run.id}
    row = session.exec(query, params=params).first()
    return LatestHandoffSummary.of(row) if row else None


class LatestHandoffSummaryService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def for_context(self, actor: Actor, context: SupportContext) -> LatestHandoffSummary | None:
        scope = context.authorize(
            AccessService(self._session), actor, Capability.SUPPORT_REQUESTS_CREATE
        )
        return latest_handoff_in(self._session, scope)
