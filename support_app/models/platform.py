"""The host platform's tables: workspaces, users, tenants, runs and what a dashboard shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import defer
from sqlmodel import Field, SQLModel

from support_app.models.clock import utcnow

TENANT_ROLES = ("owner", "manager", "operator", "readonly")
WORKSPACE_ROLES = ("owner", "member")
LOCALES = ("en", "de")
CONNECTION_STATUSES = ("healthy", "degraded", "failed")
RUN_TYPES = ("inventory_sync", "policy_backup", "restore", "drift_check")
RUN_STATUSES = ("queued", "running", "completed")
RUN_OUTCOMES = ("succeeded", "partially_succeeded", "failed")
FINDING_SEVERITIES = ("low", "medium", "high", "critical")
FINDING_STATUSES = ("open", "resolved")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


RETENTION_MONTHS_MAX = 1200


class Workspace(SQLModel, table=True):
    __tablename__ = "workspaces"
    __table_args__ = (
        CheckConstraint(
            f"retention_months IS NULL OR retention_months BETWEEN 1 AND {RETENTION_MONTHS_MAX}",
            name="ck_workspaces_retention_months",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    # Support requests and audit details older than this many months are erased
    # (``services/erasure/retention.py``); NULL: kept (the default).
    retention_months: int | None = Field(default=None)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("preferred_locale", LOCALES), name="ck_users_locale"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=200)
    preferred_locale: str = Field(default="en", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)


class WorkspaceMembership(SQLModel, table=True):
    __tablename__ = "workspace_memberships"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", name="uq_workspace_memberships_pair"),
        CheckConstraint(_in("role", WORKSPACE_ROLES), name="ck_workspace_memberships_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=20)


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class TenantMembership(SQLModel, table=True):
    """A user's entitlement to one tenant, with the tenant role that sets capabilities."""

    __tablename__ = "tenant_memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", name="uq_tenant_memberships_pair"),
        CheckConstraint(_in("role", TENANT_ROLES), name="ck_tenant_memberships_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    role: str = Field(max_length=20)


class ProviderConnection(SQLModel, table=True):
    __tablename__ = "provider_connections"
    __table_args__ = (
        CheckConstraint(_in("status", CONNECTION_STATUSES), name="ck_provider_connections_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    provider: str = Field(max_length=100)
    display_name: str = Field(max_length=200)
    status: str = Field(max_length=20)
    last_checked_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)


class OperationRun(SQLModel, table=True):
    """A run of the platform against a tenant.

    ``raw_provider_payload`` keeps what the provider answered, secrets included; it
    must never reach a support context, a diagnostics bundle or an audit row.
    """

    __tablename__ = "operation_runs"
    __table_args__ = (
        CheckConstraint(_in("type", RUN_TYPES), name="ck_operation_runs_type"),
        CheckConstraint(_in("status", RUN_STATUSES), name="ck_operation_runs_status"),
        CheckConstraint(
            f"outcome IS NULL OR {_in('outcome', RUN_OUTCOMES)}", name="ck_operation_runs_outcome"
        ),
        Index("ix_operation_runs_tenant_created", "tenant_id", "created_at"),
        # "The tenant's newest failed run" (support context) without walking the history.
        Index(
            "ix_operation_runs_tenant_outcome_created", "tenant_id", "outcome", "created_at", "id"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    type: str = Field(max_length=40)
    status: str = Field(max_length=20)
    outcome: str | None = Field(default=None, max_length=30)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failure_summary: str | None = Field(default=None, max_length=2000)
    raw_provider_payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


# The load option of every read that shows a run: the raw payload (secrets included)
# is not even loaded, so it costs no JSON parse and touching it raises instead of
# leaking into a page or an envelope.
RUN_WITHOUT_RAW_PAYLOAD = defer(OperationRun.raw_provider_payload, raiseload=True)


class Finding(SQLModel, table=True):
    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint(_in("severity", FINDING_SEVERITIES), name="ck_findings_severity"),
        CheckConstraint(_in("status", FINDING_STATUSES), name="ck_findings_status"),
        # The first open findings by id (support context) read only what they return.
        Index("ix_findings_tenant_status", "tenant_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    severity: str = Field(max_length=20)
    status: str = Field(max_length=20)
    title: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class TenantOpenFindingCount(SQLModel, table=True):
    """Open findings per tenant and severity, kept by database triggers on ``findings``.

    The dashboard, the diagnostics bundle and every support context show these
    counts; reading four rows instead of counting every open finding keeps them as
    fast for a tenant with years of findings as for a new one. Only the triggers
    (migration 0007) write here, in the same transaction as the finding itself.
    """

    __tablename__ = "tenant_open_finding_counts"

    tenant_id: int = Field(foreign_key="tenants.id", primary_key=True)
    severity: str = Field(max_length=20, primary_key=True)
    open_count: int = Field(default=0)


class Review(SQLModel, table=True):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_tenant_created", "tenant_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    title: str = Field(max_length=300)
    status: str = Field(max_length=30)
    created_at: datetime = Field(default_factory=utcnow)


class Report(SQLModel, table=True):
    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_tenant_created", "tenant_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    title: str = Field(max_length=300)
    status: str = Field(max_length=30)
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Append-only workspace audit row; ``metadata_json`` is redacted before it is stored."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_workspace_created", "workspace_id", "created_at"),
        Index("ix_audit_logs_tenant_created", "tenant_id", "created_at"),
        # One record's own trail (a support request's detail page) without a scan.
        Index("ix_audit_logs_subject", "subject_type", "subject_id", "id"),
        # Rows whose details retention has not erased yet (a run walks only these).
        Index(
            "ix_audit_logs_workspace_not_erased",
            "workspace_id",
            "created_at",
            "id",
            sqlite_where=text("erasure_id IS NULL"),
            postgresql_where=text("erasure_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int | None = Field(default=None, foreign_key="workspaces.id")
    tenant_id: int | None = Field(default=None, foreign_key="tenants.id")
    actor_user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=100)
    subject_type: str | None = Field(default=None, max_length=50)
    subject_id: str | None = Field(default=None, max_length=64)
    metadata_json: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    # The latest erasure that changed this row's actor or details (NULL at INSERT).
    # (use_alter: erasures and audit_logs name each other.)
    erasure_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("erasures.id", use_alter=True), nullable=True),
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie token is stored.

    It ends at ``expires_at`` (absolute lifetime) or when unused for the idle
    timeout; ``last_seen_at`` is refreshed at most once a minute, not per event.
    """

    __tablename__ = "user_sessions"
    # SQLite would otherwise hand an ended session's id to the next sign-in; nothing
    # is keyed on it (tabs key on the token hash), but an id is never reissued either.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)


SIGN_IN_THROTTLE_KINDS = ("account", "address", "account_address")


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins per client address, per account (a hash of the e-mail as typed)
    and per account and address (``services/sign_in_throttle.py``).

    Kept in the database so every worker sees the same counts; rows are upserted
    atomically and purged once forgotten.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        UniqueConstraint("kind", "subject", name="uq_sign_in_throttles_key"),
        CheckConstraint(_in("kind", SIGN_IN_THROTTLE_KINDS), name="ck_sign_in_throttles_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=254)
    failures: int = 0
    last_failed_at: datetime
    locked_until: datetime | None = None


class SignInAuditWindow(SQLModel, table=True):
    """Refused sign-ins from one client address in its current audit window.

    The audit log is append-only, so a flood of refused posts must not each add a
    row: the first few of a window are audited one by one, the rest only counted
    here, and one summary row carries the count when the window is over.
    """

    __tablename__ = "sign_in_audit_windows"

    client_address: str = Field(primary_key=True, max_length=254)
    window_start: datetime = Field(index=True)
    refused: int = 0
