"""Sign-in sessions with an idle timeout, and sign-in throttling shared by all workers.

``user_sessions`` gains ``last_seen_at`` (idle timeout) and indexes for purging
expired rows. Existing sessions are deleted: their cookies were readable by page
scripts (set from JavaScript), so everyone signs in again and gets an HttpOnly one.
``sign_in_throttles`` counts failed sign-ins per account and per client address.

Revision ID: 0006_sessions
Revises: 0004_audit_log_append_only
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_sessions"
down_revision = "0004_audit_log_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM user_sessions")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
        )
        batch_op.create_index("ix_user_sessions_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_user_sessions_last_seen_at", ["last_seen_at"], unique=False)

    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('account', 'address')", name="ck_sign_in_throttles_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject", name="uq_sign_in_throttles_key"),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttles")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_user_sessions_last_seen_at")
        batch_op.drop_index("ix_user_sessions_expires_at")
        batch_op.drop_column("last_seen_at")
