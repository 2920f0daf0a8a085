"""Domain tables. Alembic migrations create them; ``SQLModel.metadata`` mirrors them."""

from support_app.models.erasure import Erasure
from support_app.models.platform import (
    AuditLog,
    Finding,
    OperationRun,
    ProviderConnection,
    Report,
    Review,
    SignInAuditWindow,
    SignInThrottle,
    Tenant,
    TenantMembership,
    TenantOpenFindingCount,
    User,
    UserSession,
    Workspace,
    WorkspaceMembership,
)
from support_app.models.support_request import SupportRequest, SupportRequestRedaction
from support_app.models.worker_lease import WorkerLease

__all__ = [
    "AuditLog",
    "Erasure",
    "Finding",
    "OperationRun",
    "ProviderConnection",
    "Report",
    "Review",
    "SignInAuditWindow",
    "SignInThrottle",
    "SupportRequest",
    "SupportRequestRedaction",
    "Tenant",
    "TenantMembership",
    "TenantOpenFindingCount",
    "User",
    "UserSession",
    "WorkerLease",
    "Workspace",
    "WorkspaceMembership",
]
