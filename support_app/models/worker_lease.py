"""Which backend workers are alive, for instances that share no Redis (``worker_lease``)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class WorkerLease(SQLModel, table=True):
    """One row per running backend worker, renewed every few seconds.

    ``expires_at`` is epoch seconds (a float compares the same on SQLite and
    PostgreSQL, with no time zone to get wrong); a row past it names a worker that
    stopped renewing, i.e. is gone.
    """

    __tablename__ = "worker_leases"

    owner: str = Field(primary_key=True, max_length=200)  # ``process_identity.this_process``
    expires_at: float
