"""Handoff failure kind and parameters; immutability without holes.

* ``external_handoff_failure_kind`` / ``external_handoff_failure_params``: the
  failure summary's kind and safe parameters, written in the same single
  finalisation as the English summary, so the UI can render it in the reader's
  language. The finalisation rule of 0003 is widened to them: every outcome column
  starts NULL, and the one allowed UPDATE writes either the ticket (reference, and
  optionally the URL) or the failure (summary, kind and params together).
* BEFORE INSERT guards: a support request is created without any outcome column
  set (the outcome is only ever the finalisation's), and no INSERT may hit the id
  or reference of an existing support request or the id of an audit row. On
  SQLite that is the hole: ``INSERT OR REPLACE`` (and ``REPLACE INTO``) deletes
  the old row without firing DELETE triggers. On PostgreSQL an upsert's
  ``DO UPDATE`` already meets the UPDATE triggers; the guard makes both databases
  refuse the same statements with the same message.
* PostgreSQL ``BEFORE TRUNCATE`` guards on both tables (row triggers do not see
  TRUNCATE). The remaining hole, a table owner dropping the triggers, is closed by
  running the app as a separate runtime role (``python -m support_app
  grant-runtime-role``, see ``support_app/runtime_role.py``).

Revision ID: 0005_handoff_integrity
Revises: 0004_audit_log_append_only
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_handoff_integrity"
down_revision = "0004_audit_log_append_only"
branch_labels = None
depends_on = None

MESSAGE = "support_requests rows are immutable except for one handoff finalisation"
INSERT_OUTCOME_MESSAGE = "support_requests rows are immutable: created without a handoff outcome"
REPLACE_MESSAGE = "support_requests rows are immutable: an INSERT may not replace one"
AUDIT_REPLACE_MESSAGE = "audit_logs rows are append-only: an INSERT may not replace one"

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
FAILURE_DETAIL_COLUMNS = ("external_handoff_failure_kind", "external_handoff_failure_params")
OUTCOME_COLUMNS = (
    "external_ticket_reference",
    "external_ticket_url",
    "external_handoff_failure_summary",
    *FAILURE_DETAIL_COLUMNS,
)


def _finalisation_allowed(same: str, envelope_same: str, detail_columns: tuple[str, ...]) -> str:
    """SQL that is true exactly for the one allowed finalisation of a pending handoff.

    ``detail_columns`` are written together with the failure summary (all or none);
    the downgrade passes () to restore the 0003 rule exactly.
    """
    unchanged = " AND ".join(same.format(c=c) for c in FROZEN_COLUMNS)
    all_null_before = " AND ".join(
        f"OLD.{c} IS NULL"
        for c in ("external_ticket_reference", "external_handoff_failure_summary", *detail_columns)
    )
    with_summary = "".join(
        f" AND ((NEW.external_handoff_failure_summary IS NULL) = (NEW.{c} IS NULL))"
        for c in detail_columns
    )
    return (
        f"OLD.external_handoff_mode <> 'internal_only' AND {all_null_before}"
        " AND ((NEW.external_ticket_reference IS NOT NULL)"
        " <> (NEW.external_handoff_failure_summary IS NOT NULL))"
        " AND (NEW.external_ticket_url IS NULL OR NEW.external_ticket_reference IS NOT NULL)"
        f"{with_summary} AND {unchanged} AND {envelope_same}"
    )


def _any_outcome_set() -> str:
    return " OR ".join(f"NEW.{c} IS NOT NULL" for c in OUTCOME_COLUMNS)


def _pg_guard_function(detail_columns: tuple[str, ...]) -> str:
    allowed = _finalisation_allowed(
        "NEW.{c} IS NOT DISTINCT FROM OLD.{c}",
        "NEW.context_envelope::text IS NOT DISTINCT FROM OLD.context_envelope::text",
        detail_columns,
    )
    return f"""
        CREATE OR REPLACE FUNCTION support_requests_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND ({allowed}) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
    """


def _sqlite_update_trigger(detail_columns: tuple[str, ...]) -> str:
    allowed = _finalisation_allowed(
        "NEW.{c} IS OLD.{c}", "NEW.context_envelope IS OLD.context_envelope", detail_columns
    )
    return (
        "CREATE TRIGGER support_requests_no_update BEFORE UPDATE ON support_requests"
        f" WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def _upgrade_postgresql() -> None:
    op.execute(_pg_guard_function(FAILURE_DETAIL_COLUMNS))
    op.execute(
        f"""
        CREATE FUNCTION support_requests_insert_guard() RETURNS trigger AS $$
        BEGIN
            IF {_any_outcome_set()} THEN
                RAISE EXCEPTION '{INSERT_OUTCOME_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            IF EXISTS (SELECT 1 FROM support_requests
                       WHERE id = NEW.id OR reference = NEW.reference) THEN
                RAISE EXCEPTION '{REPLACE_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER support_requests_insert_guard BEFORE INSERT ON support_requests"
        " FOR EACH ROW EXECUTE FUNCTION support_requests_insert_guard()"
    )
    op.execute(
        f"""
        CREATE FUNCTION audit_logs_insert_guard() RETURNS trigger AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM audit_logs WHERE id = NEW.id) THEN
                RAISE EXCEPTION '{AUDIT_REPLACE_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER audit_logs_insert_guard BEFORE INSERT ON audit_logs"
        " FOR EACH ROW EXECUTE FUNCTION audit_logs_insert_guard()"
    )
    op.execute(
        """
        CREATE FUNCTION immutable_tables_no_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% rows are immutable: TRUNCATE is refused', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    for table in ("support_requests", "audit_logs"):
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION immutable_tables_no_truncate()"
        )


def _upgrade_sqlite() -> None:
    op.execute("DROP TRIGGER IF EXISTS support_requests_no_update")
    op.execute(_sqlite_update_trigger(FAILURE_DETAIL_COLUMNS))
    op.execute(
        "CREATE TRIGGER support_requests_no_outcome_on_insert BEFORE INSERT ON support_requests"
        f" WHEN {_any_outcome_set()}"
        f" BEGIN SELECT RAISE(ABORT, '{INSERT_OUTCOME_MESSAGE}'); END"
    )
    # NEW.id is -1 in a BEFORE INSERT trigger when the id is left to SQLite: no match.
    op.execute(
        "CREATE TRIGGER support_requests_no_replace BEFORE INSERT ON support_requests"
        " WHEN EXISTS (SELECT 1 FROM support_requests"
        " WHERE id = NEW.id OR reference = NEW.reference)"
        f" BEGIN SELECT RAISE(ABORT, '{REPLACE_MESSAGE}'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_logs_no_replace BEFORE INSERT ON audit_logs"
        " WHEN EXISTS (SELECT 1 FROM audit_logs WHERE id = NEW.id)"
        f" BEGIN SELECT RAISE(ABORT, '{AUDIT_REPLACE_MESSAGE}'); END"
    )


# A snapshot of ``models.support_request.PENDING_CREATE`` (migrations do not import
# model constants that may change later).
PENDING_CREATE = (
    "external_handoff_mode = 'create_external_ticket'"
    " AND external_ticket_reference IS NULL AND external_handoff_failure_summary IS NULL"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN on both databases (no table rebuild, so the triggers stay).
    op.add_column(
        "support_requests",
        sa.Column(
            "external_handoff_failure_kind",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            nullable=True,
        ),
    )
    op.add_column(
        "support_requests",
        sa.Column("external_handoff_failure_params", sa.JSON(none_as_null=True), nullable=True),
    )
    # The stale-handoff sweep's read: pending creates by age (a handful of rows).
    op.create_index(
        "ix_support_requests_pending_create",
        "support_requests",
        ["created_at"],
        sqlite_where=sa.text(PENDING_CREATE),
        postgresql_where=sa.text(PENDING_CREATE),
    )
    if dialect == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in ("support_requests", "audit_logs"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_insert_guard ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_insert_guard()")
        op.execute("DROP FUNCTION IF EXISTS immutable_tables_no_truncate()")
        op.execute(_pg_guard_function(()))
        op.drop_index("ix_support_requests_pending_create", table_name="support_requests")
        op.drop_column("support_requests", "external_handoff_failure_params")
        op.drop_column("support_requests", "external_handoff_failure_kind")
        return
    for trigger in (
        "support_requests_no_outcome_on_insert",
        "support_requests_no_replace",
        "audit_logs_no_replace",
        "support_requests_no_update",
        "support_requests_no_delete",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    # SQLite rebuilds the table to drop a column, which loses its triggers: the
    # 0003 guards are created again afterwards.
    op.drop_index("ix_support_requests_pending_create", table_name="support_requests")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_column("external_handoff_failure_params")
        batch_op.drop_column("external_handoff_failure_kind")
    op.execute(_sqlite_update_trigger(()))
    op.execute(
        "CREATE TRIGGER support_requests_no_delete BEFORE DELETE ON support_requests"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )
