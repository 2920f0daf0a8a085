"""The tenant-role → capability map, exactly as issue 2 states it."""

from __future__ import annotations

import pytest

from support_app.models.platform import TENANT_ROLES
from support_app.services.capabilities import ROLE_CAPABILITIES, Capability, capabilities_for

CREATE = Capability.SUPPORT_REQUESTS_CREATE
DIAGNOSTICS = Capability.SUPPORT_DIAGNOSTICS_VIEW
REDACT = Capability.SUPPORT_REQUESTS_REDACT


def test_registry_names_are_the_documented_ids() -> None:
    assert CREATE.value == "support_requests.create"
    assert DIAGNOSTICS.value == "support_diagnostics.view"
    assert REDACT.value == "support_requests.redact"
    assert Capability.TENANT_VIEW.value == "tenant.view"


def test_every_tenant_role_has_an_entry_and_no_other_role_does() -> None:
    assert (
        set(ROLE_CAPABILITIES)
        == set(TENANT_ROLES)
        == {
            "owner",
            "manager",
            "operator",
            "readonly",
        }
    )


@pytest.mark.parametrize(
    ("role", "support_capabilities"),
    [
        ("owner", {CREATE, DIAGNOSTICS, REDACT}),
        ("manager", {CREATE, DIAGNOSTICS}),
        ("operator", {CREATE}),
        ("readonly", set()),
    ],
)
def test_support_capabilities_per_role(role: str, support_capabilities: set[Capability]) -> None:
    granted = capabilities_for(role)
    assert granted & {CREATE, DIAGNOSTICS, REDACT} == support_capabilities


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_every_role_may_view_the_tenant_it_is_entitled_to(role: str) -> None:
    assert Capability.TENANT_VIEW in capabilities_for(role)
    assert Capability.OPERATION_RUNS_VIEW in capabilities_for(role)


@pytest.mark.parametrize("role", ["", "admin", "Owner", "OWNER", " owner", "member", "root"])
def test_unknown_role_grants_nothing(role: str) -> None:
    assert capabilities_for(role) == frozenset()


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_returned_capabilities_are_immutable(role: str) -> None:
    assert isinstance(capabilities_for(role), frozenset)
