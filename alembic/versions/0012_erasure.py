"""Erasure: the one audited way for data to end, enforced like manual redaction (0010).

Retention, a customer's offboarding and a person's erasure request must be able to
remove content from records that refuse every other change. The database keeps that
path narrow:

* ``erasures``: append-only records (no UPDATE, DELETE, REPLACE, TRUNCATE) - which
  workspace (and tenant, for an offboarding), why (``retention``, ``offboarding``,
  ``erasure_request``), who (a user, or the named policy), when - each accepted only
  with its own ``data.erased`` audit row (same workspace, tenant and actor);
* ``support_requests.erasure_id`` (NULL at INSERT): set once, by an UPDATE that makes
  the row a *tombstone*: summary = the marker, notes and contact fields NULL, the
  context envelope reduced to its identity (``schema_version``, ``primary_context``,
  ``attachment.mode``) plus ``erased`` = the marker; reference, tenant, context kind,
  creator, severity, dates, handoff mode and outcome, redaction count unchanged; the
  record must be a retention or offboarding erasure of the row's workspace (and
  tenant). A tombstone accepts no later change but its pending handoff's one
  outcome: the finalisation keeps every content column unchanged, manual redaction
  and the contact erasure require a live row - it can never be refilled;
* ``support_requests.contact_erasure_id`` (NULL at INSERT): set once, with the contact
  fields set to NULL and every other column unchanged, by an ``erasure_request``
  record of the row's workspace;
* ``audit_logs.erasure_id`` (NULL at INSERT): an UPDATE may change an audit row's
  details (``metadata_json``) and clear its actor when it names a newer erasure
  record than before (ids only grow: the records are never deleted, and SQLite's
  AUTOINCREMENT never reissues one) of the row's workspace and tenant; action,
  subject, workspace, tenant and time are unchanged. A person's erasure may also
  reach platform rows (no workspace: their sign-ins). DELETE is still refused;
* ``users``: an account's name, address and password hash change only all together
  to the pseudonym of an ``erasure_request`` record ("former user #n",
  ``former-user-n@erased.invalid``, an unusable hash), so the app's runtime role,
  which may now write them, can end an account but never take one over;
* ``workspaces.retention_months``: the retention period (NULL: off, the default).

Partial indexes over the rows not yet erased let retention walk only what it will
erase, never the tombstones earlier runs left.

Revision ID: 0012_erasure
Revises: 0011_worker_leases
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012_erasure"
down_revision = "0011_worker_leases"
branch_labels = None
depends_on = None

# The 0010 rules (finalisation, redaction) are kept and narrowed, not retyped: its
# module is a snapshot like this one.
_spec = importlib.util.spec_from_file_location(
    "_revision_0010", Path(__file__).with_name("0010_manual_redaction.py")
)
assert _spec is not None and _spec.loader is not None
_r10 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_r10)
_Dialect = _r10._Dialect

# Snapshots (migrations do not import model constants that may change later).
MARKER = "[erased]"
ERASED_ACTION = "data.erased"
TOMBSTONE_REASONS = "('retention', 'offboarding')"
MESSAGE = (
    "support_requests rows are immutable except for one handoff finalisation,"
    " recorded manual redactions and recorded erasures"
)
INSERT_MESSAGE = "support_requests rows are immutable: created without an erasure"
AUDIT_MESSAGE = "audit_logs rows are append-only except for recorded erasures"
AUDIT_INSERT_MESSAGE = "audit_logs rows are created without an erasure"
RECORD_MESSAGE = "erasures rows are append-only"
RECORD_INSERT_MESSAGE = "erasures rows need their data.erased audit row"
USERS_MESSAGE = "users: name, e-mail and password change only to an erasure pseudonym"
UNUSABLE_PASSWORD = "!erased"
USER_IDENTITY = ("email", "display_name", "password_hash")
ERASURE_COLUMNS = ("erasure_id", "contact_erasure_id")
CONTACT_COLUMNS = ("contact_name", "contact_email")
# Columns a tombstone keeps as they were.
TOMBSTONE_KEPT = (
    *(c for c in _r10.IDENTITY_COLUMNS if c not in CONTACT_COLUMNS),
    *_r10.OUTCOME_COLUMNS,
    "redaction_count",
    "contact_erasure_id",
)
ALL_REQUEST_COLUMNS = (
    *_r10.IDENTITY_COLUMNS,
    *_r10.OUTCOME_COLUMNS,
    "summary",
    "reproduction_notes",
    "context_envelope",
    "redaction_count",
    "erasure_id",
    "contact_erasure_id",
)
AUDIT_KEPT = (
    "id",
    "workspace_id",
    "tenant_id",
    "action",
    "subject_type",
    "subject_id",
    "created_at",
)


def _unchanged(d: _Dialect, columns: tuple[str, ...] | list[str]) -> str:
    return " AND ".join(d.same(d.text_of("NEW", c), d.text_of("OLD", c)) for c in columns)


def _envelope_keys(d: _Dialect, path: str | None) -> str:
    """SQL counting the keys of NEW's envelope (or of its object at ``path``)."""
    if d.pg:
        target = "NEW.context_envelope::jsonb" + (f" -> '{path}'" if path else "")
        return f"(SELECT count(*) FROM jsonb_object_keys({target}))"
    where = f", '$.{path}'" if path else ""
    return f"(SELECT count(*) FROM json_each(NEW.context_envelope{where}))"


def _erased_value(d: _Dialect) -> str:
    if d.pg:
        return "(NEW.context_envelope::jsonb ->> 'erased')"
    return "json_extract(NEW.context_envelope, '$.erased')"


def _tombstone_allowed(d: _Dialect) -> str:
    identity = " AND ".join(
        d.same(d.envelope_part("NEW", path), d.envelope_part("OLD", path))
        for path in (("primary_context",), ("schema_version",), ("attachment", "mode"))
    )
    return (
        "OLD.erasure_id IS NULL AND NEW.erasure_id IS NOT NULL"
        f" AND {_unchanged(d, TOMBSTONE_KEPT)}"
        f" AND NEW.summary = '{MARKER}' AND NEW.reproduction_notes IS NULL"
        " AND NEW.contact_name IS NULL AND NEW.contact_email IS NULL"
        f" AND {identity} AND {_envelope_keys(d, None)} = 4"
        f" AND {_envelope_keys(d, 'attachment')} = 1 AND {_erased_value(d)} = '{MARKER}'"
        " AND EXISTS (SELECT 1 FROM erasures e WHERE e.id = NEW.erasure_id"
        " AND e.workspace_id = OLD.workspace_id"
        " AND (e.tenant_id IS NULL OR e.tenant_id = OLD.tenant_id)"
        f" AND e.reason IN {TOMBSTONE_REASONS})"
    )


def _contact_erasure_allowed(d: _Dialect) -> str:
    kept = [c for c in ALL_REQUEST_COLUMNS if c not in (*CONTACT_COLUMNS, "contact_erasure_id")]
    return (
        "OLD.erasure_id IS NULL AND OLD.contact_erasure_id IS NULL"
        " AND NEW.contact_erasure_id IS NOT NULL"
        " AND NEW.contact_name IS NULL AND NEW.contact_email IS NULL"
        f" AND {_unchanged(d, kept)}"
        " AND EXISTS (SELECT 1 FROM erasures e WHERE e.id = NEW.contact_erasure_id"
        " AND e.workspace_id = OLD.workspace_id AND e.reason = 'erasure_request')"
    )


def _redaction_allowed(d: _Dialect) -> str:
    """0010's rule, on a live row only, leaving the erasure columns alone."""
    return f"OLD.erasure_id IS NULL AND {_unchanged(d, ERASURE_COLUMNS)} AND {_r10._redaction_allowed(d)}"


def _request_update_rules(d: _Dialect) -> tuple[str, ...]:
    """Each UPDATE support_requests accepts, the common one (finalisation) first."""
    return (
        _r10._finalisation_allowed(d, ("redaction_count", *ERASURE_COLUMNS)),
        _redaction_allowed(d),
        _tombstone_allowed(d),
        _contact_erasure_allowed(d),
    )


def _request_update_allowed(d: _Dialect) -> str:
    return " OR ".join(f"({rule})" for rule in _request_update_rules(d))


def _audit_update_allowed(d: _Dialect) -> str:
    return (
        "NEW.erasure_id IS NOT NULL"
        " AND (OLD.erasure_id IS NULL OR NEW.erasure_id > OLD.erasure_id)"
        f" AND {_unchanged(d, AUDIT_KEPT)}"
        f" AND ({d.same('NEW.actor_user_id', 'OLD.actor_user_id')} OR NEW.actor_user_id IS NULL)"
        " AND EXISTS (SELECT 1 FROM erasures e WHERE e.id = NEW.erasure_id"
        " AND (e.workspace_id = OLD.workspace_id"
        " OR (OLD.workspace_id IS NULL AND e.reason = 'erasure_request'))"
        " AND (e.tenant_id IS NULL OR e.tenant_id = OLD.tenant_id))"
    )


def _user_update_allowed(d: _Dialect) -> str:
    """Nothing of the identity changes; or only the password, to a new Argon2id hash of a
    usable account (a sign-in upgrading an older hash); or all of it, to the pseudonym
    of a person's erasure."""
    return (
        f"({_unchanged(d, USER_IDENTITY)})"
        f" OR ({_unchanged(d, ('email', 'display_name'))}"
        f" AND OLD.password_hash <> '{UNUSABLE_PASSWORD}'"
        " AND NEW.password_hash LIKE '$argon2id$%')"
        f" OR ({_unchanged(d, ('id', 'created_at'))}"
        f" AND NEW.password_hash = '{UNUSABLE_PASSWORD}'"
        " AND EXISTS (SELECT 1 FROM erasures e WHERE e.reason = 'erasure_request'"
        " AND NEW.display_name = 'former user #' || e.id"
        " AND NEW.email = 'former-user-' || e.id || '@erased.invalid'))"
    )


def _record_valid(d: _Dialect) -> str:
    """SQL over NEW of an erasure record: its audit row is the matching data.erased row."""
    return (
        "EXISTS (SELECT 1 FROM audit_logs a WHERE a.id = NEW.audit_log_id"
        f" AND a.action = '{ERASED_ACTION}' AND a.workspace_id = NEW.workspace_id"
        f" AND {d.same('a.tenant_id', 'NEW.tenant_id')}"
        f" AND {d.same('a.actor_user_id', 'NEW.erased_by_user_id')})"
    )


def _create_schema() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("erased_by_user_id", sa.Integer(), nullable=True),
        sa.Column("policy", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("audit_log_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('retention', 'offboarding', 'erasure_request')",
            name="ck_erasures_reason",
        ),
        sa.CheckConstraint(
            "(erased_by_user_id IS NULL) = (policy IS NOT NULL)", name="ck_erasures_actor"
        ),
        sa.ForeignKeyConstraint(["audit_log_id"], ["audit_logs.id"]),
        sa.ForeignKeyConstraint(["erased_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_log_id", name="uq_erasures_audit_log"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_erasures_workspace_id", "erasures", ["workspace_id"])
    for table, column in (
        ("support_requests", "erasure_id"),
        ("support_requests", "contact_erasure_id"),
        ("audit_logs", "erasure_id"),
    ):
        # Inline REFERENCES: SQLite adds a foreign key only with its column.
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES erasures (id)")
    # A column constraint: SQLite adds it with the column (it has no ADD CONSTRAINT).
    op.execute(
        "ALTER TABLE workspaces ADD COLUMN retention_months INTEGER"
        " CONSTRAINT ck_workspaces_retention_months"
        " CHECK (retention_months IS NULL OR retention_months BETWEEN 1 AND 1200)"
    )
    for table in ("support_requests", "audit_logs"):
        op.create_index(
            f"ix_{table}_workspace_not_erased",
            table,
            ["workspace_id", "created_at", "id"],
            sqlite_where=sa.text("erasure_id IS NULL"),
            postgresql_where=sa.text("erasure_id IS NULL"),
        )


def _pg_function(name: str, body: str) -> None:
    _r10._pg_function(name, body)


def _raise_pg(message: str) -> str:
    return _r10._raise_pg(message)


def _upgrade_postgresql() -> None:
    d = _Dialect("postgresql")
    # One IF per rule (as 0010): a finalisation never evaluates the erasure rules.
    _pg_function(
        "support_requests_guard",
        "".join(
            f"IF TG_OP = 'UPDATE' AND ({rule}) THEN RETURN NEW; END IF;\n"
            for rule in _request_update_rules(d)
        )
        + _raise_pg(MESSAGE),
    )
    _pg_function(
        "audit_logs_append_only",
        f"IF TG_OP = 'UPDATE' AND ({_audit_update_allowed(d)}) THEN RETURN NEW; END IF;\n"
        f"{_raise_pg(AUDIT_MESSAGE)}",
    )
    _pg_function(
        "support_requests_erasure_insert_guard",
        "IF NEW.erasure_id IS NOT NULL OR NEW.contact_erasure_id IS NOT NULL THEN"
        f" {_raise_pg(INSERT_MESSAGE)} END IF; RETURN NEW;",
    )
    _pg_function(
        "audit_logs_erasure_insert_guard",
        f"IF NEW.erasure_id IS NOT NULL THEN {_raise_pg(AUDIT_INSERT_MESSAGE)} END IF; RETURN NEW;",
    )
    _pg_function(
        "users_identity_guard",
        f"IF {_user_update_allowed(d)} THEN RETURN NEW; END IF;\n{_raise_pg(USERS_MESSAGE)}",
    )
    _pg_function("erasures_append_only", _raise_pg(RECORD_MESSAGE))
    _pg_function(
        "erasures_insert_guard",
        "IF EXISTS (SELECT 1 FROM erasures WHERE id = NEW.id) THEN"
        f" {_raise_pg(RECORD_MESSAGE)} END IF;\n"
        f"IF NOT {_record_valid(d)} THEN {_raise_pg(RECORD_INSERT_MESSAGE)} END IF;\n"
        "RETURN NEW;",
    )
    for trigger, event, table in (
        ("support_requests_erasure_insert_guard", "INSERT", "support_requests"),
        ("audit_logs_erasure_insert_guard", "INSERT", "audit_logs"),
        ("erasures_append_only", "UPDATE OR DELETE", "erasures"),
        ("erasures_insert_guard", "INSERT", "erasures"),
        ("users_identity_guard", "UPDATE", "users"),
    ):
        op.execute(
            f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW"
            f" EXECUTE FUNCTION {trigger}()"
        )
    op.execute(
        "CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON erasures"
        " FOR EACH STATEMENT EXECUTE FUNCTION immutable_tables_no_truncate()"
    )


def _sqlite_trigger(name: str, event: str, table: str, when: str | None, message: str) -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _upgrade_sqlite() -> None:
    d = _Dialect("sqlite")
    op.execute("DROP TRIGGER IF EXISTS support_requests_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_logs_no_update")
    for statement in (
        _sqlite_trigger(
            "support_requests_no_update",
            "UPDATE",
            "support_requests",
            f"NOT ({_request_update_allowed(d)})",
            MESSAGE,
        ),
        _sqlite_trigger(
            "audit_logs_no_update",
            "UPDATE",
            "audit_logs",
            f"NOT ({_audit_update_allowed(d)})",
            AUDIT_MESSAGE,
        ),
        _sqlite_trigger(
            "support_requests_not_erased_on_insert",
            "INSERT",
            "support_requests",
            "NEW.erasure_id IS NOT NULL OR NEW.contact_erasure_id IS NOT NULL",
            INSERT_MESSAGE,
        ),
        _sqlite_trigger(
            "audit_logs_not_erased_on_insert",
            "INSERT",
            "audit_logs",
            "NEW.erasure_id IS NOT NULL",
            AUDIT_INSERT_MESSAGE,
        ),
        _sqlite_trigger(
            "users_identity_guard", "UPDATE", "users", f"NOT ({_user_update_allowed(d)})",
            USERS_MESSAGE,
        ),
        _sqlite_trigger("erasures_no_update", "UPDATE", "erasures", None, RECORD_MESSAGE),
        _sqlite_trigger("erasures_no_delete", "DELETE", "erasures", None, RECORD_MESSAGE),
        # NEW.id is -1 in a BEFORE INSERT trigger when the id is left to SQLite.
        _sqlite_trigger(
            "erasures_no_replace",
            "INSERT",
            "erasures",
            "EXISTS (SELECT 1 FROM erasures WHERE id = NEW.id)",
            RECORD_MESSAGE,
        ),
        _sqlite_trigger(
            "erasures_insert_guard",
            "INSERT",
            "erasures",
            f"NOT {_record_valid(d)}",
            RECORD_INSERT_MESSAGE,
        ),
    ):
        op.execute(statement)


def upgrade() -> None:
    _create_schema()
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _drop_schema() -> None:
    for table in ("support_requests", "audit_logs"):
        op.drop_index(f"ix_{table}_workspace_not_erased", table_name=table)
    op.execute("ALTER TABLE workspaces DROP COLUMN retention_months")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        d = _Dialect("postgresql")
        for trigger, table in (
            ("support_requests_erasure_insert_guard", "support_requests"),
            ("audit_logs_erasure_insert_guard", "audit_logs"),
            ("users_identity_guard", "users"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
        _pg_function(
            "support_requests_guard",
            f"IF TG_OP = 'UPDATE' AND ({_r10._finalisation_allowed(d, ('redaction_count',))})"
            " THEN RETURN NEW; END IF;\n"
            f"IF TG_OP = 'UPDATE' AND ({_r10._redaction_allowed(d)}) THEN RETURN NEW; END IF;\n"
            f"{_raise_pg(_r10.REDACTION_MESSAGE)}",
        )
        _pg_function("audit_logs_append_only", _raise_pg("audit_logs rows are append-only"))
        _drop_schema()
        op.drop_column("support_requests", "erasure_id")
        op.drop_column("support_requests", "contact_erasure_id")
        op.drop_column("audit_logs", "erasure_id")
        op.drop_table("erasures")  # its triggers go with it
        op.execute("DROP FUNCTION IF EXISTS erasures_append_only()")
        op.execute("DROP FUNCTION IF EXISTS erasures_insert_guard()")
        return
    d = _Dialect("sqlite")
    for trigger in (
        "support_requests_no_update",
        "audit_logs_no_update",
        "support_requests_not_erased_on_insert",
        "audit_logs_not_erased_on_insert",
        "users_identity_guard",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    _drop_schema()
    # Native DROP COLUMN (SQLite >= 3.35) keeps the tables and their other triggers.
    for table, column in (
        ("support_requests", "erasure_id"),
        ("support_requests", "contact_erasure_id"),
        ("audit_logs", "erasure_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("erasures")
    op.execute(
        _r10._sqlite_update_trigger(
            f"({_r10._finalisation_allowed(d, ('redaction_count',))})"
            f" OR ({_r10._redaction_allowed(d)})",
            _r10.REDACTION_MESSAGE,
        )
    )
    op.execute(
        _sqlite_trigger(
            "audit_logs_no_update", "UPDATE", "audit_logs", None, "audit_logs rows are append-only"
        )
    )
