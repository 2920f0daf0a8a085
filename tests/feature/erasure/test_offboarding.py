"""Customer offboarding: every request of the tenant becomes a tombstone with its
record and audit row, the desk tickets are listed, and only the workspace owner who
typed the tenant's name can do it (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, Erasure
from support_app.models.erasure import ERASURE_MARKER
from support_app.services.access import Forbidden, NotFound
from support_app.services.erasure.offboarding import (
    ConfirmationMismatch,
    TenantOffboardingService,
)
from support_app.services.support_requests.history import SupportRequestHistoryService
from tests.conftest import actor_for
from tests.feature.erasure.conftest import OWNER, erasures, raise_request, stored
from tests.feature.support_requests.conftest import counts, tenant_id


def test_offboarding_makes_every_request_of_the_tenant_a_tombstone(
    engine: Engine, session: Session
) -> None:
    fabrikam = [raise_request(engine, session) for _ in range(3)]
    linked = raise_request(engine, session, ticket="#4711")
    northwind = raise_request(engine, session, "Northwind")
    before = stored(engine, linked)
    owner = actor_for(session, OWNER)

    # Batches of two: three transactions under one record.
    result = TenantOffboardingService(engine, batch=2).offboard(
        owner, tenant_id(session, "Fabrikam"), " Fabrikam "
    )

    assert (result.tenant_name, result.requests_erased) == ("Fabrikam", 4)
    assert [(t.reference, t.ticket_reference) for t in result.desk_tickets] == [(linked, "#4711")]
    for reference in (*fabrikam, linked):
        row = stored(engine, reference)
        assert row.erasure_id == result.erasure_id
        assert (row.summary, row.reproduction_notes) == (ERASURE_MARKER, None)
        assert (row.contact_name, row.contact_email) == (None, None)
        assert "references" not in row.context_envelope
        assert row.context_envelope["erased"] == ERASURE_MARKER
    tombstone = stored(engine, linked)
    for kept in (
        "reference",
        "tenant_id",
        "primary_context_type",
        "created_at",
        "created_by_user_id",
        "severity",
        "external_handoff_mode",
        "external_ticket_reference",
    ):
        assert getattr(tombstone, kept) == getattr(before, kept)
    assert (
        tombstone.context_envelope["primary_context"] == before.context_envelope["primary_context"]
    )
    assert stored(engine, northwind).erasure_id is None
    assert stored(engine, northwind).contact_email is not None

    (record,) = erasures(engine)
    assert (record.reason, record.erased_by_user_id, record.policy) == (
        "offboarding",
        owner.user_id,
        None,
    )
    audit = session.get_one(AuditLog, record.audit_log_id)
    assert (audit.action, audit.tenant_id, audit.actor_user_id) == (
        "data.erased",
        record.tenant_id,
        owner.user_id,
    )
    assert audit.metadata_json["requests"] == 4

    # The tenant's other audit rows keep action and time, lose actor and details.
    session.expire_all()
    tenant_rows = session.exec(
        select(AuditLog).where(
            AuditLog.tenant_id == record.tenant_id, AuditLog.id != record.audit_log_id
        )
    ).all()
    assert tenant_rows
    assert {(r.erasure_id, r.actor_user_id) for r in tenant_rows} == {(record.id, None)}
    assert {str(r.metadata_json) for r in tenant_rows} == {"{'erased': 'offboarding'}"}

    # The reference still resolves, to a tombstone.
    detail = SupportRequestHistoryService(session).detail(owner, linked)
    assert (detail.row.reference, detail.row.erasure_reason) == (linked, "offboarding")
    assert detail.row.erased_at is not None and detail.contact_email is None
    history = SupportRequestHistoryService(session).for_tenant(owner, record.tenant_id)
    assert {r.erasure_reason for r in history.page.rows} == {"offboarding"}


def test_a_second_offboarding_adds_nothing(engine: Engine, session: Session) -> None:
    raise_request(engine, session)
    service = TenantOffboardingService(engine)
    owner = actor_for(session, OWNER)
    first = service.offboard(owner, tenant_id(session, "Fabrikam"), "Fabrikam")
    again = service.offboard(owner, tenant_id(session, "Fabrikam"), "Fabrikam")
    assert (first.requests_erased, again.requests_erased, again.erasure_id) == (1, 0, None)
    assert len(erasures(engine)) == 1


@pytest.mark.parametrize("typed", ["fabrikam", "Northwind", "", None, ["Fabrikam"]])
def test_without_the_typed_name_nothing_is_erased(
    engine: Engine, session: Session, typed: object
) -> None:
    reference = raise_request(engine, session)
    before = counts(session)
    with pytest.raises(ConfirmationMismatch):
        TenantOffboardingService(engine).offboard(
            actor_for(session, OWNER), tenant_id(session, "Fabrikam"), typed
        )
    assert stored(engine, reference).erasure_id is None
    assert counts(session) == before
    assert erasures(engine) == []


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("operator@contoso.example", Forbidden),
        ("readonly@contoso.example", Forbidden),
        ("outsider@litware.example", NotFound),
    ],
)
def test_only_the_workspace_owner_offboards(
    engine: Engine, session: Session, email: str, error: type[Exception]
) -> None:
    reference = raise_request(engine, session)
    with pytest.raises(error):
        TenantOffboardingService(engine).offboard(
            actor_for(session, email), tenant_id(session, "Fabrikam"), "Fabrikam"
        )
    assert stored(engine, reference).erasure_id is None
    assert session.exec(select(Erasure)).all() == []


def test_the_command_line_offboarding_names_its_policy(engine: Engine, session: Session) -> None:
    raise_request(engine, session)
    result = TenantOffboardingService(engine).offboard_by_command(
        tenant_id(session, "Fabrikam"), "Fabrikam"
    )
    (record,) = erasures(engine)
    assert (result.requests_erased, record.erased_by_user_id, record.policy) == (
        1,
        None,
        "erase-tenant command",
    )
    with pytest.raises(ConfirmationMismatch):
        TenantOffboardingService(engine).offboard_by_command(
            tenant_id(session, "Northwind"), "Fabrikam"
        )
