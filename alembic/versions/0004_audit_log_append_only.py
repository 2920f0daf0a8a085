"""Audit log rows are append-only in the database too.

The logger only ever inserts; these triggers make that a property of the table, so
no stray UPDATE or DELETE (a script, a console, a future code path) can rewrite or
remove the record of what happened. SQLite: ``RAISE(ABORT)`` triggers; PostgreSQL: a
``BEFORE UPDATE OR DELETE`` trigger.

Revision ID: 0004_audit_log_append_only
Revises: 0003_external_handoff
"""

from alembic import op

revision = "0004_audit_log_append_only"
down_revision = "0003_external_handoff"
branch_labels = None
depends_on = None

MESSAGE = "audit_logs rows are append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_logs_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE"
            " ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_logs_no_{event.lower()} BEFORE {event}"
            f" ON audit_logs BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_logs_append_only ON audit_logs")
        op.execute("DROP FUNCTION IF EXISTS audit_logs_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_delete")
