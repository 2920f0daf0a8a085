"""Helpers shared by the erasure feature tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, Erasure, SupportRequest
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import submit, tenant_id

OWNER = "owner@contoso.example"
CONTACT = "Jana.Kontakt@fabrikam.example"


def raise_request(
    engine: Engine,
    session: Session,
    tenant: str = "Fabrikam",
    *,
    contact_email: str = CONTACT,
    contact_name: str = "Jana Kontakt",
    ticket: str = "",
    creator: str = OWNER,
) -> str:
    """A request as the service stores it (with notes, a contact and a context)."""
    form = SupportRequestForm(
        severity="high",
        summary=f"Backups fail, call {contact_name}",
        reproduction_notes=f"Reported by {contact_email} on Monday",
        contact_name=contact_name,
        contact_email=contact_email,
        handoff_mode="link_existing_ticket" if ticket else "internal_only",
        external_reference=ticket,
    )
    context = SupportContext("tenant", tenant_id(session, tenant))
    return submit(engine, actor_for(session, creator), context, form).reference


def stored(engine: Engine, reference: str) -> SupportRequest:
    with Session(engine) as s:
        return s.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def backdate(engine: Engine, reference: str, created_at: datetime) -> str:
    """A copy of ``reference`` created at ``created_at`` (rows cannot be changed, but
    a new one may carry any creation time); the copy's reference."""
    with Session(engine) as s:
        source = s.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()
        copied = source.model_dump(exclude={"id", "reference"})
        copy = SupportRequest(
            **{**copied, "created_at": created_at, "reference": SupportRequestReference.generate()}
        )
        assert copy.external_handoff_mode == "internal_only"  # no outcome at INSERT
        s.add(copy)
        s.commit()
        return copy.reference


def erasures(engine: Engine) -> list[Erasure]:
    with Session(engine) as s:
        return list(s.exec(select(Erasure).order_by(Erasure.id)))


def audit_row(engine: Engine, audit_id: int) -> AuditLog:
    with Session(engine) as s:
        return s.get_one(AuditLog, audit_id)
