"""PostgreSQL: the running app connects as a runtime role that cannot undo the guards.

Two roles, two jobs:

* the **migration role** owns every table. It runs ``python -m support_app
  migrate`` (and ``seed-demo``) and then this module's grants. Only an owner may
  ALTER or DROP a table, disable or drop its triggers, and nobody else is granted
  TRUNCATE;
* the **runtime role** is what ``REFLEX_DB_URL`` names for the running app. It may
  read every table and insert into it, but UPDATE only the handoff outcome columns
  of ``support_requests`` (the one finalisation) and its redactable texts with the
  redaction count (a manual redaction), both further narrowed by the triggers,
  plus the few platform writes the app makes (``RUNTIME_EXTRAS``), and DELETE
  only ended sessions and forgotten sign-in throttles. It cannot otherwise change
  a request, a redaction record or an audit row, delete or truncate them, or touch
  the schema - even if the app is compromised.

The role must exist (``CREATE ROLE app_runtime LOGIN PASSWORD …``, by whoever
administers the server); ``python -m support_app grant-runtime-role app_runtime``,
run with the migration role's ``REFLEX_DB_URL``, resets its privileges to exactly
the above. Run it again after every migration: grants name the tables and columns
that exist when it runs. SQLite has no roles; ``make run`` and the tests use one
connection there (and, on PostgreSQL, may use the owner).
"""

from __future__ import annotations

import re

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import support_app.models  # noqa: F401  (registers every table on the metadata)
from support_app.models.support_request import (
    ERASABLE_COLUMNS,
    HANDOFF_OUTCOME_COLUMNS,
    REDACTABLE_COLUMNS,
)

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Beyond SELECT and INSERT, table by table: every write the running app makes.
RUNTIME_EXTRAS: dict[str, tuple[str, ...]] = {
    # the one handoff finalisation; a manual redaction (texts and its count)
    # an erasure: a tombstone's texts, contact and record; a person's contact fields
    "support_requests": (
        "UPDATE ("
        + ", ".join(
            (
                *HANDOFF_OUTCOME_COLUMNS,
                *REDACTABLE_COLUMNS,
                "redaction_count",
                *ERASABLE_COLUMNS,
            )
        )
        + ")",
    ),
    # an erasure: actor and details of an audit row, with its record
    "audit_logs": ("UPDATE (actor_user_id, metadata_json, erasure_id)",),
    # the language switch; a person's erasure pseudonymises the account
    "users": ("UPDATE (preferred_locale, email, display_name, password_hash)",),
    # a person's erasure ends the account's part in the workspace
    "workspace_memberships": ("DELETE",),
    "tenant_memberships": ("DELETE",),
    "workspaces": ("UPDATE (retention_months)",),  # the retention period
    # the idle timeout's last-use stamp; sign-out and purging ended sessions
    "user_sessions": ("UPDATE (last_seen_at)", "DELETE"),
    "sign_in_throttles": ("UPDATE", "DELETE"),  # failure counts and back-off
    "sign_in_audit_windows": ("UPDATE", "DELETE"),  # refused sign-ins counted, summarised
    "worker_leases": ("UPDATE", "DELETE"),  # a worker renews and ends its own lease
}


class RuntimeRoleError(ValueError):
    """The role name is unusable, or this is not a PostgreSQL database."""


def runtime_grants(role: str, tables: list[str]) -> list[str]:
    """The statements that give ``role`` exactly the runtime privileges on ``tables``."""
    if not _ROLE_NAME.fullmatch(role):
        raise RuntimeRoleError(f"{role!r} is not a plain lower-case role name")
    quoted = f'"{role}"'
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    for table in sorted(tables):
        privileges = ("SELECT", "INSERT", *RUNTIME_EXTRAS.get(table, ()))
        statements.append(f"GRANT {', '.join(privileges)} ON TABLE {table} TO {quoted}")
    return statements


def grant_runtime_role(engine: Engine, role: str) -> list[str]:
    """Reset ``role``'s privileges to the runtime set, in one transaction; the statements."""
    if engine.dialect.name != "postgresql":
        raise RuntimeRoleError("runtime roles exist on PostgreSQL only")
    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        missing = set(SQLModel.metadata.tables) - existing
        if missing:
            raise RuntimeRoleError(f"migrate first; missing tables: {', '.join(sorted(missing))}")
        statements = runtime_grants(role, sorted(SQLModel.metadata.tables))
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
