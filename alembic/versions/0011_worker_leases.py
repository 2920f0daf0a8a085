"""Worker leases: which backend workers are alive, as every instance sees it.

A worker on another host cannot be looked up in ``/proc``; without Redis, each
worker renews a row here every few seconds and the others read "gone" from a row
that is missing or expired (``support_app/worker_lease.py``). Not an audit trail:
rows are updated and deleted freely.

Revision ID: 0011_worker_leases
Revises: 0010_manual_redaction
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_worker_leases"
down_revision = "0010_manual_redaction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_leases",
        sa.Column("owner", sa.String(length=200), primary_key=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("worker_leases")
