"""``SupportRequest``: the immutable record an operator raises from a tenant or a run.

The row is written once, without a handoff outcome. The only later writes allowed
are the single external-handoff finalisation, limited to the outcome columns,
manual redactions (a secret that slipped through, replaced by ``[redacted:manual]``
in the summary, notes and context, each with its ``SupportRequestRedaction`` record
and audit row) and erasures (``models/erasure.py``: the row becomes a tombstone, or
loses its contact fields, each with its ``Erasure`` record and audit row); the
database enforces these rules with triggers (see the migrations), so a stray
INSERT, UPDATE, REPLACE or upsert cannot forge or rewrite a request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from support_app.models.clock import utcnow

SEVERITIES = ("low", "normal", "high", "blocking")
CONTEXT_TYPES = ("tenant", "operation_run")
ATTACHMENT_MODES = ("diagnostic_snapshot", "canonical_context_only")
HANDOFF_MODES = ("internal_only", "create_external_ticket", "link_existing_ticket")

SUMMARY_MAX = 200
NOTES_MAX = 5000
CONTACT_NAME_MAX = 200
CONTACT_EMAIL_MAX = 254
EXTERNAL_REFERENCE_MAX = 64
EXTERNAL_URL_MAX = 2048
FAILURE_SUMMARY_MAX = 300
FAILURE_KIND_MAX = 40

# Written together in the one finalisation, and only then (never at INSERT).
HANDOFF_OUTCOME_COLUMNS = (
    "external_ticket_reference",
    "external_ticket_url",
    "external_handoff_failure_summary",
    "external_handoff_failure_kind",
    "external_handoff_failure_params",
)


# A create handoff still waiting for its outcome; the stale-handoff sweep reads
# these rows by age, and a partial index keeps that read as small as they are few.
PENDING_CREATE = (
    "external_handoff_mode = 'create_external_ticket'"
    " AND external_ticket_reference IS NULL AND external_handoff_failure_summary IS NULL"
)


# The rows the latest-handoff summary looks at. The partial indexes below hold only
# these rows, and the query uses this very expression, so both databases can match
# it to the index and "the latest handoff" is one index step however many internal
# requests a tenant or run has.
HANDOFF_ATTEMPTED = text("external_handoff_mode <> 'internal_only'")


# Requests whose handoff failed (the history's "failed" filter reads only these).
HANDOFF_FAILED = "external_handoff_failure_summary IS NOT NULL"
# Requests not yet erased: retention walks only these (a partial index), so a run
# costs the requests it erases, not the tombstones earlier runs left.
NOT_ERASED = "erasure_id IS NULL"
# Tenant history filters with an index of their own: index name part -> column.
HISTORY_FILTER_COLUMNS = {
    "severity": "severity",
    "creator": "created_by_user_id",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SupportRequest(SQLModel, table=True):
    __tablename__ = "support_requests"
    __table_args__ = (
        CheckConstraint(_in("severity", SEVERITIES), name="ck_support_requests_severity"),
        CheckConstraint(
            _in("primary_context_type", CONTEXT_TYPES), name="ck_support_requests_context_type"
        ),
        CheckConstraint(
            "(primary_context_type = 'operation_run' AND operation_run_id IS NOT NULL)"
            " OR (primary_context_type = 'tenant' AND operation_run_id IS NULL)",
            name="ck_support_requests_run_scope",
        ),
        CheckConstraint(
            _in("attachment_mode", ATTACHMENT_MODES), name="ck_support_requests_attachment_mode"
        ),
        CheckConstraint(
            _in("external_handoff_mode", HANDOFF_MODES), name="ck_support_requests_handoff_mode"
        ),
        Index("ix_support_requests_tenant_created", "tenant_id", "created_at"),
        # The histories (newest first, keyset on created_at and id): a tenant's, one
        # run's and a workspace's requests are each one backwards walk of an index.
        Index("ix_support_requests_tenant_history", "tenant_id", "created_at", "id"),
        Index(
            "ix_support_requests_run_history",
            "operation_run_id",
            "primary_context_type",
            "created_at",
            "id",
        ),
        Index("ix_support_requests_workspace_history", "workspace_id", "created_at", "id"),
        # The tenant history's filters, each its own walk, so a rare value (blocking,
        # a failed handoff, my own requests among many) costs its matches, not the
        # tenant's whole history.
        *(
            Index(
                f"ix_support_requests_tenant_{name}_history",
                "tenant_id",
                column,
                "created_at",
                "id",
            )
            for name, column in HISTORY_FILTER_COLUMNS.items()
        ),
        # The rare outcomes (a failed handoff, one still pending) each from a partial
        # index that holds only them.
        *(
            Index(
                f"ix_support_requests_tenant_{name}_history",
                "tenant_id",
                "created_at",
                "id",
                sqlite_where=text(condition),
                postgresql_where=text(condition),
            )
            for name, condition in (("failed", HANDOFF_FAILED), ("pending", PENDING_CREATE))
        ),
        Index(
            "ix_support_requests_pending_create",
            "created_at",
            sqlite_where=text(PENDING_CREATE),
            postgresql_where=text(PENDING_CREATE),
        ),
        Index(
            "ix_support_requests_tenant_latest_handoff",
            "tenant_id",
            "primary_context_type",
            "created_at",
            "id",
            sqlite_where=HANDOFF_ATTEMPTED,
            postgresql_where=HANDOFF_ATTEMPTED,
        ),
        Index(
            "ix_support_requests_workspace_not_erased",
            "workspace_id",
            "created_at",
            "id",
            sqlite_where=text(NOT_ERASED),
            postgresql_where=text(NOT_ERASED),
        ),
        Index(
            "ix_support_requests_run_latest_handoff",
            "operation_run_id",
            "created_at",
            "id",
            sqlite_where=HANDOFF_ATTEMPTED,
            postgresql_where=HANDOFF_ATTEMPTED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True)
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    reference: str = Field(max_length=29, unique=True)
    primary_context_type: str = Field(max_length=20)
    operation_run_id: int | None = Field(default=None, foreign_key="operation_runs.id")
    severity: str = Field(max_length=10)
    summary: str = Field(max_length=SUMMARY_MAX)
    reproduction_notes: str | None = Field(default=None, max_length=NOTES_MAX)
    contact_name: str | None = Field(default=None, max_length=CONTACT_NAME_MAX)
    contact_email: str | None = Field(default=None, max_length=CONTACT_EMAIL_MAX)
    created_by_user_id: int = Field(foreign_key="users.id", index=True)
    attachment_mode: str = Field(max_length=30)
    context_envelope: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    external_handoff_mode: str = Field(default="internal_only", max_length=30)
    external_ticket_reference: str | None = Field(default=None, max_length=EXTERNAL_REFERENCE_MAX)
    external_ticket_url: str | None = Field(default=None, max_length=EXTERNAL_URL_MAX)
    external_handoff_failure_summary: str | None = Field(
        default=None, max_length=FAILURE_SUMMARY_MAX
    )
    # The summary's kind and safe parameters, so it can be shown in the reader's
    # language (catalog key ``handoff.failure.<kind>``); the summary stays the record.
    external_handoff_failure_kind: str | None = Field(default=None, max_length=FAILURE_KIND_MAX)
    # none_as_null: "no parameters yet" must be SQL NULL, which the triggers check.
    external_handoff_failure_params: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # How many manual redactions changed this row: each one raises it by one and must
    # have the redaction record of that sequence (the triggers check both).
    redaction_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The erasure that made this row a tombstone (content replaced by the marker), and
    # the one that cleared its contact fields (a person's erasure request); both NULL
    # at INSERT and set once (``models/erasure.py``, migration 0011).
    erasure_id: int | None = Field(default=None, foreign_key="erasures.id")
    contact_erasure_id: int | None = Field(default=None, foreign_key="erasures.id")


# What a manual redaction puts where the removed text was.
MANUAL_REDACTION_PLACEHOLDER = "[redacted:manual]"
# The stored texts a manual redaction may change (record's ``fields``, comma-separated).
REDACTABLE_COLUMNS = ("summary", "reproduction_notes", "context_envelope")
# What an erasure writes besides those (a tombstone's contact fields and records).
ERASABLE_COLUMNS = ("contact_name", "contact_email", "erasure_id", "contact_erasure_id")


class SupportRequestRedaction(SQLModel, table=True):
    """Append-only record of one manual redaction: who, when, which fields, and a keyed
    hash of the removed text (never the text), tied to its audit row.

    The database refuses the request's change without this record and the record
    without its audit row (migration 0010), so neither can be skipped.
    """

    __tablename__ = "support_request_redactions"
    __table_args__ = (
        UniqueConstraint(
            "support_request_id", "sequence", name="uq_support_request_redactions_sequence"
        ),
        UniqueConstraint("audit_log_id", name="uq_support_request_redactions_audit_log"),
        CheckConstraint("fields <> ''", name="ck_support_request_redactions_fields"),
        CheckConstraint("occurrences > 0", name="ck_support_request_redactions_occurrences"),
    )

    id: int | None = Field(default=None, primary_key=True)
    support_request_id: int = Field(foreign_key="support_requests.id")
    sequence: int
    workspace_id: int = Field(foreign_key="workspaces.id")
    tenant_id: int = Field(foreign_key="tenants.id", index=True)
    redacted_by_user_id: int = Field(foreign_key="users.id")
    redacted_at: datetime = Field(default_factory=utcnow)
    fields: str = Field(max_length=100)
    occurrences: int
    removed_text_hash: str = Field(max_length=64)
    audit_log_id: int = Field(foreign_key="audit_logs.id")
