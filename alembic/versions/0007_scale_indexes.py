"""Indexes that keep the hot reads independent of how much history a tenant has.

- findings: the first open findings by id come straight from ``(tenant_id, status,
  id)``; the open counts per severity from ``(tenant_id, status, severity)`` alone
  (an index-only count, no table rows read).
- operation_runs: "the tenant's newest failed run" walks ``(tenant_id, outcome,
  created_at, id)`` backwards and stops at the first row.
- support_requests: the latest-handoff summary of a tenant or of one run reads one
  entry of a partial index that holds only requests that attempted a handoff
  (``HANDOFF_ATTEMPTED``). They replace the 0003 index, which still had to skip every
  internal-only request and which SQLite without statistics also chose for the run
  scope, and the 0002 run index, whose only reader was that summary (SQLite kept
  choosing it over the smaller partial index).

Revision ID: 0007_scale_indexes
Revises: 0004_audit_log_append_only
"""

from alembic import op

import sqlalchemy as sa

revision = "0007_scale_indexes"
down_revision = "0004_audit_log_append_only"
branch_labels = None
depends_on = None

# The same predicate as ``support_app.models.support_request.HANDOFF_ATTEMPTED``.
HANDOFF_ATTEMPTED = sa.text("external_handoff_mode <> 'internal_only'")


def upgrade() -> None:
    # Plain index operations (no batch table copy on SQLite, which would also drop the
    # immutability triggers of support_requests).
    op.drop_index("ix_findings_tenant_status", table_name="findings")
    op.create_index("ix_findings_tenant_status", "findings", ["tenant_id", "status", "id"])
    op.create_index(
        "ix_findings_tenant_status_severity", "findings", ["tenant_id", "status", "severity"]
    )
    op.create_index(
        "ix_operation_runs_tenant_outcome_created",
        "operation_runs",
        ["tenant_id", "outcome", "created_at", "id"],
    )
    op.drop_index("ix_support_requests_tenant_context_handoff", table_name="support_requests")
    op.drop_index("ix_support_requests_run_created", table_name="support_requests")
    op.create_index(
        "ix_support_requests_tenant_latest_handoff",
        "support_requests",
        ["tenant_id", "primary_context_type", "created_at", "id"],
        sqlite_where=HANDOFF_ATTEMPTED,
        postgresql_where=HANDOFF_ATTEMPTED,
    )
    op.create_index(
        "ix_support_requests_run_latest_handoff",
        "support_requests",
        ["operation_run_id", "created_at", "id"],
        sqlite_where=HANDOFF_ATTEMPTED,
        postgresql_where=HANDOFF_ATTEMPTED,
    )


def downgrade() -> None:
    op.drop_index("ix_support_requests_run_latest_handoff", table_name="support_requests")
    op.drop_index("ix_support_requests_tenant_latest_handoff", table_name="support_requests")
    op.create_index(
        "ix_support_requests_run_created", "support_requests", ["operation_run_id", "created_at"]
    )
    op.create_index(
        "ix_support_requests_tenant_context_handoff",
        "support_requests",
        ["tenant_id", "primary_context_type", "external_handoff_mode", "created_at"],
    )
    op.drop_index("ix_operation_runs_tenant_outcome_created", table_name="operation_runs")
    op.drop_index("ix_findings_tenant_status_severity", table_name="findings")
    op.drop_index("ix_findings_tenant_status", table_name="findings")
    op.create_index("ix_findings_tenant_status", "findings", ["tenant_id", "status"])
