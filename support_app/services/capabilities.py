"""Capability registry and the tenant-role → capability map.

One place decides what a tenant role may do; every page, state handler and service
asks through ``AccessService.authorize`` instead of comparing roles itself.
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    TENANT_VIEW = "tenant.view"
    OPERATION_RUNS_VIEW = "operation_runs.view"
    SUPPORT_REQUESTS_CREATE = "support_requests.create"
    SUPPORT_DIAGNOSTICS_VIEW = "support_diagnostics.view"
    # Remove a secret that slipped into a stored request (the owner's call alone).
    SUPPORT_REQUESTS_REDACT = "support_requests.redact"
    # Workspace-wide: end data - offboard a tenant, a person's export and erasure,
    # the retention period (the workspace owner's call alone).
    WORKSPACE_ERASE_DATA = "workspace.erase_data"


_VIEW = frozenset({Capability.TENANT_VIEW, Capability.OPERATION_RUNS_VIEW})

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "owner": _VIEW
    | {
        Capability.SUPPORT_REQUESTS_CREATE,
        Capability.SUPPORT_DIAGNOSTICS_VIEW,
        Capability.SUPPORT_REQUESTS_REDACT,
    },
    "manager": _VIEW | {Capability.SUPPORT_REQUESTS_CREATE, Capability.SUPPORT_DIAGNOSTICS_VIEW},
    "operator": _VIEW | {Capability.SUPPORT_REQUESTS_CREATE},
    "readonly": _VIEW,
}


def capabilities_for(role: str) -> frozenset[Capability]:
    """Capabilities of a tenant role; an unknown role grants nothing."""
    return ROLE_CAPABILITIES.get(role, frozenset())


WORKSPACE_ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "owner": frozenset({Capability.WORKSPACE_ERASE_DATA}),
    "member": frozenset(),
}


def workspace_capabilities_for(role: str) -> frozenset[Capability]:
    """Capabilities of a workspace role; an unknown role grants nothing."""
    return WORKSPACE_ROLE_CAPABILITIES.get(role, frozenset())
