"""External support-desk handoff (spec 256): four handoff columns, one finalisation.

The request row stays immutable except for exactly one finalisation write, which
may only fill the outcome of a handoff that was asked for at creation
(``external_ticket_reference``/``external_ticket_url`` on success, or
``external_handoff_failure_summary`` on failure) while every other column stays as
it is. The triggers from 0002 are replaced by narrowed ones that allow exactly that.

Revision ID: 0003_external_handoff
Revises: 0002_support_requests
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_external_handoff"
down_revision = "0002_support_requests"
branch_labels = None
depends_on = None

MESSAGE = "support_requests rows are immutable except for one handoff finalisation"

FROZEN_COLUMNS = (
    "id",
    "workspace_id",
    "tenant_id",
    "reference",
    "primary_context_type",
    "operation_run_id",
    "severity",
    "summary",
    "reproduction_notes",
    "contact_name",
    "contact_email",
    "created_by_user_id",
    "attachment_mode",
    "created_at",
    "external_handoff_mode",
)


def _finalisation_allowed(same: str, envelope_same: str) -> str:
    """SQL that is true exactly for the one allowed finalisation of a pending handoff."""
    unchanged = " AND ".join(same.format(c=c) for c in FROZEN_COLUMNS)
    return (
        "OLD.external_handoff_mode <> 'internal_only'"
        " AND OLD.external_ticket_reference IS NULL"
        " AND OLD.external_handoff_failure_summary IS NULL"
        " AND ((NEW.external_ticket_reference IS NOT NULL)"
        " <> (NEW.external_handoff_failure_summary IS NOT NULL))"
        " AND (NEW.external_ticket_url IS NULL OR NEW.external_ticket_reference IS NOT NULL)"
        f" AND {unchanged} AND {envelope_same}"
    )


def _drop_0002_guards(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS support_requests_immutable ON support_requests")
        op.execute("DROP FUNCTION IF EXISTS support_requests_guard()")
    else:
        op.execute("DROP TRIGGER IF EXISTS support_requests_no_update")
        op.execute("DROP TRIGGER IF EXISTS support_requests_no_delete")


def _create_0002_guards(dialect: str) -> None:
    message = "support_requests rows are immutable"
    if dialect == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION support_requests_guard() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
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
                f" ON support_requests BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_0002_guards(dialect)
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "external_handoff_mode",
                sqlmodel.sql.sqltypes.AutoString(length=30),
                nullable=False,
                server_default="internal_only",
            )
        )
        batch_op.add_column(
            sa.Column(
                "external_ticket_reference",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "external_ticket_url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "external_handoff_failure_summary",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(
            "ck_support_requests_handoff_mode",
            "external_handoff_mode IN"
            " ('internal_only', 'create_external_ticket', 'link_existing_ticket')",
        )
        batch_op.create_index(
            "ix_support_requests_tenant_context_handoff",
            ["tenant_id", "primary_context_type", "external_handoff_mode", "created_at"],
        )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.alter_column("external_handoff_mode", server_default=None)

    if dialect == "postgresql":
        allowed = _finalisation_allowed(
            "NEW.{c} IS NOT DISTINCT FROM OLD.{c}",
            "NEW.context_envelope::text IS NOT DISTINCT FROM OLD.context_envelope::text",
        )
        op.execute(
            f"""
            CREATE FUNCTION support_requests_guard() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND ({allowed}) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER support_requests_immutable BEFORE UPDATE OR DELETE"
            " ON support_requests FOR EACH ROW EXECUTE FUNCTION support_requests_guard()"
        )
    else:
        allowed = _finalisation_allowed(
            "NEW.{c} IS OLD.{c}", "NEW.context_envelope IS OLD.context_envelope"
        )
        op.execute(
            "CREATE TRIGGER support_requests_no_update BEFORE UPDATE ON support_requests"
            f" WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER support_requests_no_delete BEFORE DELETE ON support_requests"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_0002_guards(dialect)
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_support_requests_tenant_context_handoff")
        batch_op.drop_constraint("ck_support_requests_handoff_mode", type_="check")
        batch_op.drop_column("external_handoff_failure_summary")
        batch_op.drop_column("external_ticket_url")
        batch_op.drop_column("external_ticket_reference")
        batch_op.drop_column("external_handoff_mode")
    _create_0002_guards(dialect)
