"""Whether a backend worker still runs, on any host: a lease it renews in the shared store.

Why: things name the worker that holds them - a tab's socket record in Redis
(``reflex_patches.tab_recovery``), a submit in flight
(``services.support_requests.in_flight``) - and whoever comes next must tell a
dead owner from a live one. ``/proc`` answers only for this host
(``process_identity``); an instance on another host, lost with its machine, left
nothing there to ask. So every backend worker holds a lease in the store all
instances share - Redis when ``REFLEX_REDIS_URL`` is set, else the database's
``worker_leases`` table - renewed every ``RENEW_SECONDS`` for ``LEASE_SECONDS``:
"gone" means the lease is gone, at most ``LEASE_SECONDS`` after the worker stopped
(at once when it stops cleanly and ends its lease). On this host, ``/proc`` stays
the answer (faster, and exact).

When the store cannot answer (Redis or the database down), the answer is "cannot
tell" (None) and the caller falls back to what it did before leases. A Redis that
restarted without its data has lost every lease: until each live worker has renewed
once (``LEASE_SECONDS`` after the store came back) the answer is "cannot tell" too,
never "gone" for a worker that is only about to renew.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import lru_cache
from typing import Protocol

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from support_app.models.worker_lease import WorkerLease
from support_app.process_identity import is_identity, process_gone
from support_app.settings import get_settings

LEASE_SECONDS = 6.0
RENEW_SECONDS = 2.0
# Answer (or fail) within this: a lease question is asked while a tab waits.
STORE_TIMEOUT_S = 1.0
# Rows of workers gone for longer than this are removed by the next renewal.
_PURGE_AFTER_S = 3600.0

logger = logging.getLogger(__name__)


class LeaseStore(Protocol):
    def renew(self, owner: str, seconds: float) -> None:
        """Hold ``owner``'s lease for ``seconds`` from now."""

    def release(self, owner: str) -> None:
        """End ``owner``'s lease (it stops)."""

    def held(self, owner: str) -> bool | None:
        """Whether ``owner`` holds a lease now; None if the store cannot tell yet."""


class RedisLeases:
    """One key per worker, expiring with the lease (Redis drops it by itself)."""

    PREFIX = "support_app:worker_lease:"
    # When this Redis first saw a lease (no expiry): a restarted, empty Redis has none.
    SINCE_KEY = "support_app:worker_leases_since"

    def __init__(self, url: str) -> None:
        from redis import Redis

        self._redis = Redis.from_url(
            url, socket_timeout=STORE_TIMEOUT_S, socket_connect_timeout=STORE_TIMEOUT_S
        )

    def renew(self, owner: str, seconds: float) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self.PREFIX + owner, b"1", px=int(seconds * 1000))
        pipe.set(self.SINCE_KEY, str(time.time()), nx=True)
        pipe.execute()

    def release(self, owner: str) -> None:
        self._redis.delete(self.PREFIX + owner)

    def held(self, owner: str) -> bool | None:
        held, since = self._redis.mget(self.PREFIX + owner, self.SINCE_KEY)
        if held is not None:
            return True
        if since is None or time.time() - float(since) < LEASE_SECONDS:
            return None  # the store is younger than a lease: live workers may not have renewed
        return False


class DatabaseLeases:
    """One row per worker in ``worker_leases`` (instances without Redis)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def renew(self, owner: str, seconds: float) -> None:
        now = time.time()
        with Session(self._engine) as session:
            renewed = session.exec(
                update(WorkerLease)
                .where(col(WorkerLease.owner) == owner)
                .values(expires_at=now + seconds)
            )
            if not renewed.rowcount:
                session.add(WorkerLease(owner=owner, expires_at=now + seconds))
                session.exec(
                    delete(WorkerLease).where(col(WorkerLease.expires_at) < now - _PURGE_AFTER_S)
                )
            session.commit()

    def release(self, owner: str) -> None:
        with Session(self._engine) as session:
            session.exec(delete(WorkerLease).where(col(WorkerLease.owner) == owner))
            session.commit()

    def held(self, owner: str) -> bool | None:
        with Session(self._engine) as session:
            expires_at = session.exec(
                select(WorkerLease.expires_at).where(col(WorkerLease.owner) == owner)
            ).first()
        return expires_at is not None and expires_at > time.time()


@lru_cache(maxsize=1)
def lease_store() -> LeaseStore:
    """The configured store: Redis when the workers share one, else the database."""
    settings = get_settings()
    if settings.redis_url:
        return RedisLeases(settings.redis_url)
    from support_app.db import get_engine

    return DatabaseLeases(get_engine())


def owner_gone(owner: str, store: LeaseStore | None = None) -> bool | None:
    """True if the worker ``owner`` (``process_identity.this_process``) no longer runs,
    False if it does, None when nobody can tell (not an identity; the store is away).

    Blocking (a store round trip for another host's worker): call it in a thread
    from async code.
    """
    local = process_gone(owner)
    if local is not None or not is_identity(owner):
        return local
    try:
        held = (store or lease_store()).held(owner)
    except Exception as error:  # Redis or the database away: the caller falls back
        logger.info("worker lease not readable: %s", type(error).__name__)
        return None
    return None if held is None else not held


async def hold_lease(
    owner: str,
    store: LeaseStore | None = None,
    *,
    renew_every: float = RENEW_SECONDS,
    lease_seconds: float = LEASE_SECONDS,
) -> None:
    """Renew ``owner``'s lease until cancelled, then end it (a clean stop is "gone" at
    once). A renewal that fails is retried at the next tick; the lease then runs out
    by itself if the store stays away, and nobody can read it meanwhile either."""
    store = store or lease_store()
    failing = False
    try:
        while True:
            try:
                await asyncio.wait_for(
                    asyncio.to_thread(store.renew, owner, lease_seconds), renew_every
                )
                if failing:
                    logger.info("worker lease renewed again")
                failing = False
            except Exception as error:
                if not failing:
                    logger.warning("worker lease not renewed: %s", type(error).__name__)
                failing = True
            await asyncio.sleep(renew_every)
    finally:
        try:
            await asyncio.wait_for(asyncio.to_thread(store.release, owner), STORE_TIMEOUT_S)
        except Exception as error:  # it runs out by itself
            logger.info("worker lease not ended: %s", type(error).__name__)
