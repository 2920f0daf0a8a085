"""Denials leave a trace: ``access.denied`` rows, bounded per actor and minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, OperationRun, Tenant
from support_app.models.clock import utcnow
from support_app.services.access import AccessService, Forbidden, NotFound
from support_app.services.audit import (
    ACCESS_DENIED_PER_ACTOR_PER_MINUTE,
    DENIED_RAW_ID_MAX,
    AuditActionId,
)
from support_app.services.capabilities import Capability
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.scope import SupportContext
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import counts, denials, submit

OWNER, READONLY, OUTSIDER = (
    "owner@contoso.example",
    "readonly@contoso.example",
    "outsider@litware.example",
)


def _tenant(session: Session, name: str) -> Tenant:
    return session.exec(select(Tenant).where(Tenant.name == name)).one()


def _run_id(session: Session, tenant_name: str) -> int:
    tenant = _tenant(session, tenant_name)
    return session.exec(
        select(OperationRun.id).where(OperationRun.tenant_id == tenant.id).order_by(OperationRun.id)
    ).first()


def test_not_found_records_actor_kind_and_raw_id_without_the_workspace(session: Session) -> None:
    outsider = actor_for(session, OUTSIDER)
    fabrikam = _tenant(session, "Fabrikam")
    run_id = _run_id(session, "Fabrikam")
    access = AccessService(session)
    with pytest.raises(NotFound):
        access.resolve_tenant(outsider, str(fabrikam.id))
    with pytest.raises(NotFound):
        access.resolve_run(outsider, run_id)  # through its tenant: still one row
    rows = denials(session, outsider.user_id)
    assert [(r.subject_type, r.metadata_json) for r in rows] == [
        ("tenant", {"outcome": "not_found", "context_kind": "tenant", "raw_id": str(fabrikam.id)}),
        (
            "operation_run",
            {"outcome": "not_found", "context_kind": "operation_run", "raw_id": repr(run_id)},
        ),
    ]
    # Whose record it might have been is not written down (nor shown to the actor).
    assert all(r.workspace_id is None and r.tenant_id is None for r in rows)


def test_forbidden_records_the_tenant_the_capability_and_what_was_asked(
    engine: Engine, session: Session
) -> None:
    readonly = actor_for(session, READONLY)
    fabrikam = _tenant(session, "Fabrikam")
    run_id = _run_id(session, "Fabrikam")
    with pytest.raises(Forbidden):
        submit(engine, readonly, SupportContext("operation_run", str(run_id)))
    with pytest.raises(Forbidden):
        SupportDiagnosticsService(session).bundle_for(
            readonly, SupportContext("tenant", str(fabrikam.id))
        )
    rows = denials(session, readonly.user_id)
    expected_scope = (fabrikam.workspace_id, fabrikam.id)
    assert [(r.workspace_id, r.tenant_id) for r in rows] == [expected_scope] * 2
    assert [r.metadata_json for r in rows] == [
        {
            "outcome": "forbidden",
            "context_kind": "operation_run",
            "raw_id": str(run_id),
            "capability": Capability.SUPPORT_REQUESTS_CREATE.value,
        },
        {
            "outcome": "forbidden",
            "context_kind": "tenant",
            "raw_id": str(fabrikam.id),
            "capability": Capability.SUPPORT_DIAGNOSTICS_VIEW.value,
        },
    ]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("7\x00\x1b[31m\u202e", "7??[31m?"),
        (["a"] * 100_000, "<list>"),
        ({"id": 1}, "<dict>"),
        (None, "None"),
    ],
)
def test_raw_ids_are_bounded_single_line_and_never_dumped(
    session: Session, raw: object, stored: str
) -> None:
    owner = actor_for(session, OWNER)
    with pytest.raises(NotFound):
        AccessService(session).resolve_tenant(owner, raw)
    assert denials(session, owner.user_id)[-1].metadata_json["raw_id"] == stored


def test_a_long_raw_id_is_cut_and_secrets_in_it_are_redacted(session: Session) -> None:
    owner = actor_for(session, OWNER)
    with pytest.raises(NotFound):
        AccessService(session).resolve_tenant(owner, PLANTED_ACCESS_TOKEN + "x" * 10_000)
    raw_id = denials(session, owner.user_id)[-1].metadata_json["raw_id"]
    assert len(raw_id) <= DENIED_RAW_ID_MAX
    assert PLANTED_ACCESS_TOKEN[:20] not in raw_id
    assert raw_id.startswith("[redacted")


def test_a_flood_is_bounded_per_actor_and_minute(session: Session) -> None:
    owner, outsider = actor_for(session, OWNER), actor_for(session, OUTSIDER)
    fabrikam = _tenant(session, "Fabrikam")
    access = AccessService(session)
    # A full minute ago does not count against the current one.
    session.add(
        AuditLog(
            action=AuditActionId.ACCESS_DENIED.value,
            actor_user_id=owner.user_id,
            metadata_json={},
            created_at=utcnow() - timedelta(seconds=61),
        )
    )
    session.commit()
    before = counts(session)
    for attempt in range(ACCESS_DENIED_PER_ACTOR_PER_MINUTE + 15):
        with pytest.raises(NotFound):
            access.resolve_tenant(owner, str(999_000 + attempt))
    with pytest.raises(NotFound):
        access.resolve_tenant(outsider, str(fabrikam.id))
    assert len(denials(session, owner.user_id)) == 1 + ACCESS_DENIED_PER_ACTOR_PER_MINUTE
    assert len(denials(session, outsider.user_id)) == 1  # another actor has a minute of its own
    assert counts(session) == before  # and nothing else was written
