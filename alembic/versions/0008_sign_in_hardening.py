"""Sessions whose ids are never reissued, throttling per account and address, and
bounded auditing of refused sign-ins.

- ``user_sessions``: on SQLite the table is rebuilt with AUTOINCREMENT, so an ended
  session's id is never handed to the next sign-in (PostgreSQL sequences never
  reissue one). Tabs key their data on the token hash anyway; this closes the class.
- ``sign_in_throttles``: a third kind, ``account_address``, and account subjects
  stored as hashes. The counts are short-lived, so the table is recreated empty.
- ``sign_in_audit_windows``: refused sign-ins per client address in the current
  window, so a flood adds a bounded number of audit rows.

Revision ID: 0008_sign_in_hardening
Revises: 0007_scale_indexes
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_sign_in_hardening"
down_revision = "0007_scale_indexes"
branch_labels = None
depends_on = None


def _throttles(kinds: str, kind_length: int) -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=kind_length), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint(f"kind IN ({kinds})", name="ck_sign_in_throttles_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject", name="uq_sign_in_throttles_key"),
    )


def _sessions_autoincrement(on: bool) -> None:
    """SQLite only: AUTOINCREMENT is a table option, so the table is rebuilt."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "user_sessions", recreate="always", table_kwargs={"sqlite_autoincrement": on}
    ):
        pass


def upgrade() -> None:
    _sessions_autoincrement(True)
    op.drop_table("sign_in_throttles")
    _throttles("'account', 'address', 'account_address'", 16)
    op.create_table(
        "sign_in_audit_windows",
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_address"),
    )
    op.create_index(
        "ix_sign_in_audit_windows_window_start", "sign_in_audit_windows", ["window_start"]
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_audit_windows_window_start", table_name="sign_in_audit_windows")
    op.drop_table("sign_in_audit_windows")
    op.drop_table("sign_in_throttles")
    _throttles("'account', 'address'", 10)
    _sessions_autoincrement(False)
