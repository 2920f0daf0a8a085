"""``Erasure``: the append-only record of data that ended (retention, offboarding, a
person's erasure request).

A support request and an audit row are immutable; the one way their content ends is
an erasure, and the database accepts it only with this record, whose own INSERT the
database accepts only with its ``data.erased`` audit row (migration 0011):

* a request erased whole (retention, offboarding) becomes a *tombstone*: its
  ``erasure_id`` names the record, its texts, contact fields and the context
  envelope's values are replaced by the erasure marker; reference, tenant, context
  kind, creation date, severity and handoff outcome stay, so a reference quoted in
  a desk ticket still resolves. A tombstone is never refilled (the triggers refuse
  every later change but a pending handoff's one outcome);
* a person's erasure clears the contact fields of the requests naming them
  (``contact_erasure_id``) and pseudonymises their name and e-mail in audit details;
* an audit row past the retention period keeps action and time and loses actor and
  details (``audit_logs.erasure_id``).

Which requests an erasure changed is the set of rows naming it; the record itself
says who (a user, or the retention policy when ``erased_by_user_id`` is NULL), why
and when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from support_app.models.clock import utcnow


class ErasureReason(StrEnum):
    RETENTION = "retention"
    OFFBOARDING = "offboarding"
    ERASURE_REQUEST = "erasure_request"


# What an erased text holds instead (summary of a tombstone, the envelope's values).
ERASURE_MARKER = "[erased]"
# The envelope keys a tombstone keeps: its identity, never content.
TOMBSTONE_ENVELOPE_KEYS = ("schema_version", "primary_context", "attachment", "erased")
# What an erased audit row's details become.
ERASED_AUDIT_METADATA_KEY = "erased"
NOTE_MAX = 300
POLICY_MAX = 100


def pseudonym_of(erasure_id: int) -> str:
    """The stable name of a person erased by the erasure ``erasure_id``.

    Keyed on the erasure record, which is append-only (never deleted, so its id is
    never reissued, even on SQLite)."""
    return f"former user #{erasure_id}"


def pseudonym_email_of(erasure_id: int) -> str:
    """A unique, undeliverable address for an erased user account (RFC 2606 .invalid)."""
    return f"former-user-{erasure_id}@erased.invalid"


class Erasure(SQLModel, table=True):
    __tablename__ = "erasures"
    __table_args__ = (
        CheckConstraint(
            "reason IN ('retention', 'offboarding', 'erasure_request')",
            name="ck_erasures_reason",
        ),
        # A policy acts alone; a person acts by name.
        CheckConstraint(
            "(erased_by_user_id IS NULL) = (policy IS NOT NULL)", name="ck_erasures_actor"
        ),
        UniqueConstraint("audit_log_id", name="uq_erasures_audit_log"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    # Offboarding erases one tenant; retention and a person's erasure a workspace.
    tenant_id: int | None = Field(default=None, foreign_key="tenants.id")
    reason: str = Field(max_length=20)
    erased_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    policy: str | None = Field(default=None, max_length=POLICY_MAX)
    note: str = Field(default="", max_length=NOTE_MAX)
    erased_at: datetime = Field(default_factory=utcnow)
    audit_log_id: int = Field(foreign_key="audit_logs.id")
