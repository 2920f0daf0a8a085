"""Support requests (spec 246): the immutable request row and its database guard.

Immutability is enforced in the database itself, not only in the service layer:
SQLite gets ``RAISE(ABORT)`` triggers, PostgreSQL a ``BEFORE UPDATE OR DELETE``
trigger, so even a stray SQL statement cannot rewrite or remove a request.

Revision ID: 0002_support_requests
Revises: 0001_platform
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_support_requests"
down_revision = "0001_platform"
branch_labels = None
depends_on = None

IMMUTABLE_MESSAGE = "support_requests rows are immutable"


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=29), nullable=False),
        sa.Column(
            "primary_context_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        ),
        sa.Column("operation_run_id", sa.Integer(), nullable=True),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "reproduction_notes", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True
        ),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("attachment_mode", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("context_envelope", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(primary_context_type = 'operation_run' AND operation_run_id IS NOT NULL)"
            " OR (primary_context_type = 'tenant' AND operation_run_id IS NULL)",
            name="ck_support_requests_run_scope",
        ),
        sa.CheckConstraint(
            "attachment_mode IN ('diagnostic_snapshot', 'canonical_context_only')",
            name="ck_support_requests_attachment_mode",
        ),
        sa.CheckConstraint(
            "primary_context_type IN ('tenant', 'operation_run')",
            name="ck_support_requests_context_type",
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'normal', 'high', 'blocking')",
            name="ck_support_requests_severity",
        ),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["operation_run_id"], ["operation_runs.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_requests_created_by_user_id"), ["created_by_user_id"]
        )
        batch_op.create_index(
            "ix_support_requests_run_created", ["operation_run_id", "created_at"]
        )
        batch_op.create_index("ix_support_requests_tenant_created", ["tenant_id", "created_at"])
        batch_op.create_index(batch_op.f("ix_support_requests_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_support_requests_workspace_id"), ["workspace_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION support_requests_guard() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{IMMUTABLE_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER support_requests_immutable BEFORE UPDATE OR DELETE"
            " ON support_requests FOR EACH ROW EXECUTE FUNCTION support_requests_guard()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER support_requests_no_{event.lower()} BEFORE {event}"
                f" ON support_requests BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS support_requests_immutable ON support_requests")
        op.execute("DROP FUNCTION IF EXISTS support_requests_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS support_requests_no_update")
        op.execute("DROP TRIGGER IF EXISTS support_requests_no_delete")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_requests_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_support_requests_tenant_id"))
        batch_op.drop_index("ix_support_requests_tenant_created")
        batch_op.drop_index("ix_support_requests_run_created")
        batch_op.drop_index(batch_op.f("ix_support_requests_created_by_user_id"))
    op.drop_table("support_requests")
