"""Run as a process: submit one "create a ticket" request, as the app would.

``python -m tests.feature.support_requests.submit_create`` with ``REFLEX_DB_URL``
and ``SUPPORT_DESK_*`` set. The stale-handoff test points it at a hanging desk and
kills it mid-call, leaving exactly what a crashed app leaves: a committed request
whose handoff was never finalised.
"""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from support_app.db import get_engine
from support_app.models import Tenant, User
from support_app.services.access import Actor
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService


def main() -> None:
    engine = get_engine()
    with Session(engine) as session:
        owner = session.exec(select(User).where(User.email == "owner@contoso.example")).one()
        tenant_id = session.exec(select(Tenant.id).where(Tenant.name == "Fabrikam")).one()
        actor = Actor.of(owner)
    service = SupportRequestSubmissionService(
        engine, handoff=ExternalSupportDeskHandoffService.from_settings()
    )
    form = SupportRequestForm(
        severity="blocking", summary="Restore stuck", handoff_mode="create_external_ticket"
    )
    result = asyncio.run(service.submit(actor, SupportContext("tenant", tenant_id), form))
    print(result.as_display())


if __name__ == "__main__":
    main()
