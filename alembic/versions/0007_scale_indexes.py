"""Indexes that keep the hot reads independent of how much history a tenant has.

- findings: the first open findings by id come straight from ``(tenant_id, status,
  id)``; the open counts per severity from ``tenant_open_finding_counts``, kept by
  triggers on ``findings`` in the same transaction as each change (an index-only
  count still grew with the open findings: 2.4x the demo time for the dashboard at
  25k open findings on SQLite).
- operation_runs: "the tenant's newest failed run" walks ``(tenant_id, outcome,
  created_at, id)`` backwards and stops at the first row.
- support_requests: the latest-handoff summary of a tenant or of one run reads one
  entry of a partial index that holds only requests that attempted a handoff
  (``HANDOFF_ATTEMPTED``). They replace the 0003 index, which still had to skip every
  internal-only request and which SQLite without statistics also chose for the run
  scope, and the 0002 run index, whose only reader was that summary (SQLite kept
  choosing it over the smaller partial index).

Revision ID: 0007_scale_indexes
Revises: 0006_sessions
"""

from alembic import op

import sqlalchemy as sa

revision = "0007_scale_indexes"
down_revision = "0006_sessions"
branch_labels = None
depends_on = None

# The same predicate as ``support_app.models.support_request.HANDOFF_ATTEMPTED``.
HANDOFF_ATTEMPTED = sa.text("external_handoff_mode <> 'internal_only'")

_UPSERT_ONE = (
    "INSERT INTO tenant_open_finding_counts AS c (tenant_id, severity, open_count)"
    " VALUES (NEW.tenant_id, NEW.severity, 1)"
    " ON CONFLICT (tenant_id, severity) DO UPDATE SET open_count = c.open_count + 1"
)
_DECREMENT_OLD = (
    "UPDATE tenant_open_finding_counts SET open_count = open_count - 1"
    " WHERE tenant_id = OLD.tenant_id AND severity = OLD.severity"
)


def _create_open_finding_counts(dialect: str) -> None:
    op.create_table(
        "tenant_open_finding_counts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "severity"),
    )
    op.execute(
        "INSERT INTO tenant_open_finding_counts (tenant_id, severity, open_count)"
        " SELECT tenant_id, severity, COUNT(*) FROM findings WHERE status = 'open'"
        " GROUP BY tenant_id, severity"
    )
    if dialect == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION findings_open_count() RETURNS trigger AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    IF OLD.status = 'open' THEN {_DECREMENT_OLD}; END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    IF NEW.status = 'open' THEN {_UPSERT_ONE}; END IF;
                END IF;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER findings_open_count AFTER INSERT OR DELETE"
            " OR UPDATE OF tenant_id, severity, status ON findings"
            " FOR EACH ROW EXECUTE FUNCTION findings_open_count()"
        )
        return
    # SQLite: no alias on the upsert target inside a trigger; a SELECT with WHERE
    # carries the NEW.status condition in the update trigger.
    upsert = _UPSERT_ONE.replace(" AS c", "").replace("c.open_count", "open_count")
    op.execute(
        "CREATE TRIGGER findings_open_count_insert AFTER INSERT ON findings"
        f" WHEN NEW.status = 'open' BEGIN {upsert}; END"
    )
    op.execute(
        "CREATE TRIGGER findings_open_count_delete AFTER DELETE ON findings"
        f" WHEN OLD.status = 'open' BEGIN {_DECREMENT_OLD}; END"
    )
    op.execute(
        "CREATE TRIGGER findings_open_count_update"
        " AFTER UPDATE OF tenant_id, severity, status ON findings BEGIN"
        f" {_DECREMENT_OLD} AND OLD.status = 'open';"
        " INSERT INTO tenant_open_finding_counts (tenant_id, severity, open_count)"
        " SELECT NEW.tenant_id, NEW.severity, 1 WHERE NEW.status = 'open'"
        " ON CONFLICT (tenant_id, severity) DO UPDATE SET open_count = open_count + 1;"
        " END"
    )


def _drop_open_finding_counts(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS findings_open_count ON findings")
        op.execute("DROP FUNCTION IF EXISTS findings_open_count()")
    else:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS findings_open_count_{event}")
    op.drop_table("tenant_open_finding_counts")


def upgrade() -> None:
    # Plain index operations (no batch table copy on SQLite, which would also drop the
    # immutability triggers of support_requests).
    op.drop_index("ix_findings_tenant_status", table_name="findings")
    op.create_index("ix_findings_tenant_status", "findings", ["tenant_id", "status", "id"])
    _create_open_finding_counts(op.get_bind().dialect.name)
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
    _drop_open_finding_counts(op.get_bind().dialect.name)
    op.drop_index("ix_findings_tenant_status", table_name="findings")
    op.create_index("ix_findings_tenant_status", "findings", ["tenant_id", "status"])
