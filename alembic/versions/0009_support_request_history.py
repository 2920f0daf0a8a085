"""Indexes for the support-request history and detail pages (issue 17).

- a tenant's, one run's and a workspace's requests, newest first with a keyset on
  ``(created_at, id)``: each page is one backwards walk of its index, however long
  the history. The run index is complete, unlike the 0007 partial one, which holds
  only requests that attempted a handoff; its context-type column (implied by the
  run, and named by the history's query) keeps SQLite from preferring it for the
  latest-handoff read, which it could not order;
- the tenant history's filters (severity, creator; partial indexes of the failed
  and the pending handoffs): a rare value costs its own matches, not a walk through
  the tenant's whole history looking for them (SQLite at 300k requests: the
  "failed" filter took 105x its demo time on the plain tenant index). The common
  outcomes (internal, ticket created or linked) match often enough on the way;

- a record's own audit trail (``subject_type``, ``subject_id``): the detail page
  reads the rows of one request without walking the workspace's audit log.

Plain index operations (no batch table copy on SQLite, which would drop the
immutability triggers).

Revision ID: 0009_support_request_history
Revises: 0008_sign_in_hardening
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_support_request_history"
down_revision = "0008_sign_in_hardening"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_support_requests_tenant_history": ("support_requests", ["tenant_id", "created_at", "id"]),
    "ix_support_requests_run_history": (
        "support_requests",
        ["operation_run_id", "primary_context_type", "created_at", "id"],
    ),
    "ix_support_requests_workspace_history": (
        "support_requests",
        ["workspace_id", "created_at", "id"],
    ),
    **{
        f"ix_support_requests_tenant_{name}_history": (
            "support_requests",
            ["tenant_id", column, "created_at", "id"],
        )
        for name, column in (
            ("severity", "severity"),
            ("creator", "created_by_user_id"),
        )
    },
    "ix_audit_logs_subject": ("audit_logs", ["subject_type", "subject_id", "id"]),
}
# Snapshots of ``HANDOFF_FAILED`` and ``PENDING_CREATE`` (models.support_request).
RARE_OUTCOMES = {
    "failed": "external_handoff_failure_summary IS NOT NULL",
    "pending": "external_handoff_mode = 'create_external_ticket'"
    " AND external_ticket_reference IS NULL AND external_handoff_failure_summary IS NULL",
}


def upgrade() -> None:
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns)
    for name, condition in RARE_OUTCOMES.items():
        op.create_index(
            f"ix_support_requests_tenant_{name}_history",
            "support_requests",
            ["tenant_id", "created_at", "id"],
            sqlite_where=sa.text(condition),
            postgresql_where=sa.text(condition),
        )


def downgrade() -> None:
    for name in RARE_OUTCOMES:
        op.drop_index(f"ix_support_requests_tenant_{name}_history", table_name="support_requests")
    for name, (table, _columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
