"""Access service: every demo user and every tenant and run → found / NotFound / Forbidden."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from support_app.models import OperationRun, Tenant
from support_app.services.access import AccessService, Forbidden, NotFound
from support_app.services.capabilities import Capability
from tests.conftest import actor_for

ENTITLED = {
    "owner@contoso.example": {"Fabrikam": "owner", "Northwind": "owner", "Adatum": "owner"},
    "operator@contoso.example": {"Fabrikam": "operator", "Northwind": "operator"},
    "readonly@contoso.example": {"Fabrikam": "readonly"},
    "outsider@litware.example": {"Tailspin": "owner"},
}
TENANTS = ("Fabrikam", "Northwind", "Adatum", "Tailspin")


def _tenant_ids(session: Session) -> dict[str, int]:
    return {t.name: t.id for t in session.exec(select(Tenant))}


@pytest.mark.parametrize("email", sorted(ENTITLED))
def test_tenant_and_run_resolution_matrix(session: Session, email: str) -> None:
    access = AccessService(session)
    actor = actor_for(session, email)
    ids = _tenant_ids(session)
    for name in TENANTS:
        run_ids = session.exec(select(OperationRun.id).where(OperationRun.tenant_id == ids[name]))
        run_ids = list(run_ids)
        assert len(run_ids) == 12
        role = ENTITLED[email].get(name)
        if role is None:
            with pytest.raises(NotFound):
                access.resolve_tenant(actor, ids[name])
            for run_id in run_ids:
                with pytest.raises(NotFound):
                    access.resolve_run(actor, run_id)
            continue
        tenant = access.resolve_tenant(actor, str(ids[name]))
        assert (tenant.tenant_name, tenant.role) == (name, role)
        for run_id in run_ids:
            assert access.resolve_run(actor, run_id).tenant.tenant_id == ids[name]
        for capability, allowed_roles in (
            (Capability.SUPPORT_REQUESTS_CREATE, {"owner", "manager", "operator"}),
            (Capability.SUPPORT_DIAGNOSTICS_VIEW, {"owner", "manager"}),
            (Capability.TENANT_VIEW, {"owner", "manager", "operator", "readonly"}),
        ):
            if role in allowed_roles:
                access.authorize(actor, tenant, capability)
            else:
                with pytest.raises(Forbidden):
                    access.authorize(actor, tenant, capability)


FULLWIDTH_ONE = "\uff11"  # str.isdigit() accepts it; the access service must not


@pytest.mark.parametrize(
    "raw", ["999999", 999999, "0", "-1", "1.0", "1 OR 1=1", "", None, True, FULLWIDTH_ONE]
)
def test_unknown_or_malformed_ids_are_not_found(session: Session, raw: object) -> None:
    access = AccessService(session)
    actor = actor_for(session, "owner@contoso.example")
    with pytest.raises(NotFound):
        access.resolve_tenant(actor, raw)
    with pytest.raises(NotFound):
        access.resolve_run(actor, raw)


def test_visible_tenants_lists_only_entitled(session: Session) -> None:
    access = AccessService(session)
    for email, entitled in ENTITLED.items():
        names = [t.tenant_name for t in access.visible_tenants(actor_for(session, email))]
        assert sorted(names) == sorted(entitled)
