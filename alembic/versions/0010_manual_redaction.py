"""Manual redaction: the one change a stored request accepts besides its handoff outcome.

A secret pasted into a request must be removable even from an immutable trail. The
database keeps that path as narrow as the finalisation (0005):

* ``support_requests.redaction_count`` (0 at INSERT, enforced): a redaction raises it
  by exactly one;
* ``support_request_redactions``: append-only (no UPDATE, DELETE, REPLACE, upsert,
  TRUNCATE) records - who, when, which fields, how many occurrences, a keyed hash of
  the removed text (never the text) - each tied to its own
  ``support_request.redacted`` audit row, and accepted only with the request's next
  sequence, so a record cannot exist without its audit row;
* the UPDATE guard of ``support_requests`` accepts, besides the one finalisation, an
  UPDATE that raises ``redaction_count`` by one when the record of that sequence
  exists and names exactly the changed fields, every other column (reference,
  context identity, creator, contact, severity, handoff mode and outcome) is
  unchanged, the envelope's identity (``primary_context``, schema version,
  attachment mode) is unchanged, and each changed text only shrank by placeholder
  substitution: it holds more ``[redacted:manual]`` placeholders than before, each
  new one replaced at least one character, and the text before the first
  placeholder is unchanged.

Revision ID: 0010_manual_redaction
Revises: 0009_support_request_history
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_manual_redaction"
down_revision = "0009_support_request_history"
branch_labels = None
depends_on = None

PLACEHOLDER = "[redacted:manual]"
REDACTED_ACTION = "support_request.redacted"
TEXT_COLUMNS = ("summary", "reproduction_notes", "context_envelope")

# Snapshots (migrations do not import model constants that may change later).
MESSAGE = "support_requests rows are immutable except for one handoff finalisation"
REDACTION_MESSAGE = (
    "support_requests rows are immutable except for one handoff finalisation"
    " and recorded manual redactions"
)
INSERT_MESSAGE = "support_requests rows are immutable: created without a redaction"
RECORD_MESSAGE = "support_request_redactions rows are append-only"
RECORD_INSERT_MESSAGE = (
    "support_request_redactions rows need the next sequence of their request and their audit row"
)
IDENTITY_COLUMNS = (
    "id",
    "workspace_id",
    "tenant_id",
    "reference",
    "primary_context_type",
    "operation_run_id",
    "severity",
    "contact_name",
    "contact_email",
    "created_by_user_id",
    "attachment_mode",
    "created_at",
    "external_handoff_mode",
)
OUTCOME_COLUMNS = (
    "external_ticket_reference",
    "external_ticket_url",
    "external_handoff_failure_summary",
    "external_handoff_failure_kind",
    "external_handoff_failure_params",
)
FAILURE_DETAIL_COLUMNS = ("external_handoff_failure_kind", "external_handoff_failure_params")


class _Dialect:
    """The few spellings that differ between the two databases."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def same(self, a: str, b: str) -> str:
        return f"{a} IS NOT DISTINCT FROM {b}" if self.pg else f"{a} IS {b}"

    def text_of(self, row: str, column: str) -> str:
        """The column as text (JSON has no equality on PostgreSQL; compare its text)."""
        if self.pg and column in ("context_envelope", "external_handoff_failure_params"):
            return f"{row}.{column}::text"
        return f"{row}.{column}"

    def position(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle})" if self.pg else f"instr({haystack}, {needle})"

    def envelope_part(self, row: str, path: tuple[str, ...]) -> str:
        if self.pg:
            return f"({row}.context_envelope::jsonb #> '{{{','.join(path)}}}')"
        return f"json_extract({row}.context_envelope, '$.{'.'.join(path)}')"


def _finalisation_allowed(d: _Dialect, frozen_extra: tuple[str, ...]) -> str:
    """The 0005 rule, plus ``frozen_extra`` columns that it must leave unchanged."""
    frozen = (*IDENTITY_COLUMNS, "summary", "reproduction_notes", *frozen_extra)
    unchanged = " AND ".join(d.same(f"NEW.{c}", f"OLD.{c}") for c in frozen)
    envelope_same = d.same(
        d.text_of("NEW", "context_envelope"), d.text_of("OLD", "context_envelope")
    )
    all_null_before = " AND ".join(
        f"OLD.{c} IS NULL"
        for c in (
            "external_ticket_reference",
            "external_handoff_failure_summary",
            *FAILURE_DETAIL_COLUMNS,
        )
    )
    with_summary = "".join(
        f" AND ((NEW.external_handoff_failure_summary IS NULL) = (NEW.{c} IS NULL))"
        for c in FAILURE_DETAIL_COLUMNS
    )
    return (
        f"OLD.external_handoff_mode <> 'internal_only' AND {all_null_before}"
        " AND ((NEW.external_ticket_reference IS NOT NULL)"
        " <> (NEW.external_handoff_failure_summary IS NOT NULL))"
        " AND (NEW.external_ticket_url IS NULL OR NEW.external_ticket_reference IS NOT NULL)"
        f"{with_summary} AND {unchanged} AND {envelope_same}"
    )


def _placeholders(value: str) -> str:
    return (
        f"((length({value}) - length(replace({value}, '{PLACEHOLDER}', ''))) / {len(PLACEHOLDER)})"
    )


def _only_shrank(d: _Dialect, column: str) -> str:
    """Unchanged, or changed only by substituting new placeholders for removed text."""
    new, old = d.text_of("NEW", column), d.text_of("OLD", column)
    added = f"({_placeholders(new)} - {_placeholders(old)})"
    first = d.position(new, f"'{PLACEHOLDER}'")
    return (
        f"({d.same(new, old)} OR ({new} IS NOT NULL AND {old} IS NOT NULL"
        f" AND {added} > 0"
        f" AND length({old}) - (length({new}) - {added} * {len(PLACEHOLDER)}) >= {added}"
        f" AND substr({new}, 1, {first} - 1) = substr({old}, 1, {first} - 1)))"
    )


def _redaction_allowed(d: _Dialect) -> str:
    unchanged = " AND ".join(
        d.same(d.text_of("NEW", c), d.text_of("OLD", c))
        for c in (*IDENTITY_COLUMNS, *OUTCOME_COLUMNS)
    )
    identity = " AND ".join(
        d.same(d.envelope_part("NEW", path), d.envelope_part("OLD", path))
        for path in (("primary_context",), ("schema_version",), ("attachment", "mode"))
    )
    fields = "',' || r.fields || ','"

    def changed(c: str) -> str:
        new, old = d.text_of("NEW", c), d.text_of("OLD", c)
        return f"{new} IS DISTINCT FROM {old}" if d.pg else f"{new} IS NOT {old}"

    def named(c: str) -> str:
        return d.position(fields, "'," + c + ",'") + " > 0"

    named_exactly = " AND ".join(f"(({changed(c)}) = ({named(c)}))" for c in TEXT_COLUMNS)
    shrank = " AND ".join(_only_shrank(d, c) for c in TEXT_COLUMNS)
    return (
        f"NEW.redaction_count = OLD.redaction_count + 1 AND {unchanged} AND {identity}"
        f" AND {shrank} AND EXISTS (SELECT 1 FROM support_request_redactions r"
        f" WHERE r.support_request_id = NEW.id AND r.sequence = NEW.redaction_count"
        f" AND {named_exactly})"
    )


def _record_valid() -> str:
    """SQL (over NEW of a redaction record) true when it is the request's next record
    and its audit row is the matching ``support_request.redacted`` row."""
    return (
        "EXISTS (SELECT 1 FROM support_requests s JOIN audit_logs a ON a.id = NEW.audit_log_id"
        " WHERE s.id = NEW.support_request_id AND NEW.sequence = s.redaction_count + 1"
        " AND s.workspace_id = NEW.workspace_id AND s.tenant_id = NEW.tenant_id"
        f" AND a.action = '{REDACTED_ACTION}' AND a.subject_type = 'support_request'"
        " AND a.subject_id = s.reference AND a.tenant_id = s.tenant_id"
        " AND a.actor_user_id = NEW.redacted_by_user_id)"
    )


def _create_records_table() -> None:
    op.add_column(
        "support_requests",
        sa.Column("redaction_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "support_request_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("support_request_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("redacted_by_user_id", sa.Integer(), nullable=False),
        sa.Column("redacted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("fields", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("removed_text_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("audit_log_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("fields <> ''", name="ck_support_request_redactions_fields"),
        sa.CheckConstraint("occurrences > 0", name="ck_support_request_redactions_occurrences"),
        sa.ForeignKeyConstraint(["audit_log_id"], ["audit_logs.id"]),
        sa.ForeignKeyConstraint(["redacted_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["support_request_id"], ["support_requests.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_log_id", name="uq_support_request_redactions_audit_log"),
        sa.UniqueConstraint(
            "support_request_id", "sequence", name="uq_support_request_redactions_sequence"
        ),
    )
    op.create_index(
        "ix_support_request_redactions_tenant_id", "support_request_redactions", ["tenant_id"]
    )


def _pg_function(name: str, body: str) -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\nBEGIN\n{body}\nEND;\n"
        "$$ LANGUAGE plpgsql"
    )


def _raise_pg(message: str) -> str:
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';"


def _upgrade_postgresql() -> None:
    d = _Dialect("postgresql")
    _pg_function(
        "support_requests_guard",
        f"IF TG_OP = 'UPDATE' AND ({_finalisation_allowed(d, ('redaction_count',))}) THEN"
        " RETURN NEW; END IF;\n"
        f"IF TG_OP = 'UPDATE' AND ({_redaction_allowed(d)}) THEN RETURN NEW; END IF;\n"
        f"{_raise_pg(REDACTION_MESSAGE)}",
    )
    _pg_function(
        "support_requests_redaction_insert_guard",
        f"IF NEW.redaction_count <> 0 THEN {_raise_pg(INSERT_MESSAGE)} END IF; RETURN NEW;",
    )
    op.execute(
        "CREATE TRIGGER support_requests_redaction_insert_guard BEFORE INSERT"
        " ON support_requests FOR EACH ROW"
        " EXECUTE FUNCTION support_requests_redaction_insert_guard()"
    )
    _pg_function("support_request_redactions_append_only", _raise_pg(RECORD_MESSAGE))
    op.execute(
        "CREATE TRIGGER support_request_redactions_append_only BEFORE UPDATE OR DELETE"
        " ON support_request_redactions FOR EACH ROW"
        " EXECUTE FUNCTION support_request_redactions_append_only()"
    )
    _pg_function(
        "support_request_redactions_insert_guard",
        "IF EXISTS (SELECT 1 FROM support_request_redactions WHERE id = NEW.id) THEN"
        f" {_raise_pg(RECORD_MESSAGE)} END IF;\n"
        f"IF NOT {_record_valid()} THEN {_raise_pg(RECORD_INSERT_MESSAGE)} END IF;\n"
        "RETURN NEW;",
    )
    op.execute(
        "CREATE TRIGGER support_request_redactions_insert_guard BEFORE INSERT"
        " ON support_request_redactions FOR EACH ROW"
        " EXECUTE FUNCTION support_request_redactions_insert_guard()"
    )
    op.execute(
        "CREATE TRIGGER support_request_redactions_no_truncate BEFORE TRUNCATE"
        " ON support_request_redactions FOR EACH STATEMENT"
        " EXECUTE FUNCTION immutable_tables_no_truncate()"
    )


def _sqlite_update_trigger(allowed: str, message: str) -> str:
    return (
        "CREATE TRIGGER support_requests_no_update BEFORE UPDATE ON support_requests"
        f" WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _upgrade_sqlite() -> None:
    d = _Dialect("sqlite")
    op.execute("DROP TRIGGER IF EXISTS support_requests_no_update")
    op.execute(
        _sqlite_update_trigger(
            f"({_finalisation_allowed(d, ('redaction_count',))}) OR ({_redaction_allowed(d)})",
            REDACTION_MESSAGE,
        )
    )
    op.execute(
        "CREATE TRIGGER support_requests_not_redacted_on_insert BEFORE INSERT"
        " ON support_requests WHEN NEW.redaction_count <> 0"
        f" BEGIN SELECT RAISE(ABORT, '{INSERT_MESSAGE}'); END"
    )
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER support_request_redactions_no_{event.lower()} BEFORE {event}"
            f" ON support_request_redactions BEGIN SELECT RAISE(ABORT, '{RECORD_MESSAGE}'); END"
        )
    # NEW.id is -1 in a BEFORE INSERT trigger when the id is left to SQLite: no match.
    op.execute(
        "CREATE TRIGGER support_request_redactions_no_replace BEFORE INSERT"
        " ON support_request_redactions"
        " WHEN EXISTS (SELECT 1 FROM support_request_redactions WHERE id = NEW.id)"
        f" BEGIN SELECT RAISE(ABORT, '{RECORD_MESSAGE}'); END"
    )
    op.execute(
        "CREATE TRIGGER support_request_redactions_insert_guard BEFORE INSERT"
        f" ON support_request_redactions WHEN NOT {_record_valid()}"
        f" BEGIN SELECT RAISE(ABORT, '{RECORD_INSERT_MESSAGE}'); END"
    )


def upgrade() -> None:
    _create_records_table()
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        d = _Dialect("postgresql")
        op.execute(
            "DROP TRIGGER IF EXISTS support_request_redactions_no_truncate"
            " ON support_request_redactions"
        )
        op.execute(
            "DROP TRIGGER IF EXISTS support_requests_redaction_insert_guard ON support_requests"
        )
        op.execute("DROP FUNCTION IF EXISTS support_requests_redaction_insert_guard()")
        op.drop_table("support_request_redactions")
        op.execute("DROP FUNCTION IF EXISTS support_request_redactions_append_only()")
        op.execute("DROP FUNCTION IF EXISTS support_request_redactions_insert_guard()")
        op.drop_column("support_requests", "redaction_count")
        _pg_function(
            "support_requests_guard",
            f"IF TG_OP = 'UPDATE' AND ({_finalisation_allowed(d, ())}) THEN RETURN NEW;"
            f" END IF;\n{_raise_pg(MESSAGE)}",
        )
        return
    d = _Dialect("sqlite")
    for trigger in ("support_requests_no_update", "support_requests_not_redacted_on_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("support_request_redactions")  # its triggers go with it
    # A native DROP COLUMN (SQLite >= 3.35) keeps the table and its other triggers.
    op.execute("ALTER TABLE support_requests DROP COLUMN redaction_count")
    op.execute(_sqlite_update_trigger(_finalisation_allowed(d, ()), MESSAGE))
