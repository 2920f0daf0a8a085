"""Worker leases on each store: held while renewed, gone once ended or run out.

The database store on SQLite and PostgreSQL (the ``engine`` fixture), the Redis
store on the machine's Redis (database 9, keys of this test only).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy.engine import Engine

from support_app.process_identity import this_process
from support_app.worker_lease import (
    DatabaseLeases,
    LeaseStore,
    RedisLeases,
    hold_lease,
    owner_gone,
)
from tests.conftest import run_coroutine

REDIS_URL = "redis://127.0.0.1:6379/9"


def _foreign_owner() -> str:
    """A worker identity on another host (``/proc`` cannot answer for it)."""
    return f"host-{uuid.uuid4().hex[:8]}:4242:{int(time.time())}"


@pytest.fixture
def redis_leases() -> Iterator[RedisLeases]:
    client = Redis.from_url(REDIS_URL)
    client.set(RedisLeases.SINCE_KEY, str(time.time() - 60))  # a store up for a minute
    yield RedisLeases(REDIS_URL)
    client.delete(RedisLeases.SINCE_KEY)
    client.close()


def _stores(engine: Engine, redis_leases: RedisLeases) -> list[LeaseStore]:
    return [DatabaseLeases(engine), redis_leases]


def test_a_lease_is_held_while_renewed_and_gone_when_it_runs_out_or_ends(
    engine: Engine, redis_leases: RedisLeases
) -> None:
    for store in _stores(engine, redis_leases):
        owner, other = _foreign_owner(), _foreign_owner()
        assert owner_gone(owner, store) is True  # never held
        store.renew(owner, 0.5)
        store.renew(other, 30)
        assert owner_gone(owner, store) is False
        store.renew(owner, 0.5)  # a renewal moves the expiry, it adds no second lease
        time.sleep(0.7)
        assert owner_gone(owner, store) is True, store  # ran out: the worker stopped renewing
        assert owner_gone(other, store) is False
        store.release(other)
        assert owner_gone(other, store) is True  # a clean stop is gone at once


def test_a_restarted_redis_cannot_tell_until_live_workers_have_renewed(
    redis_leases: RedisLeases,
) -> None:
    owner = _foreign_owner()
    Redis.from_url(REDIS_URL).delete(RedisLeases.SINCE_KEY)  # as after a restart without data
    assert owner_gone(owner, redis_leases) is None
    redis_leases.renew(_foreign_owner(), 5)  # the first worker renews: the store is young
    assert owner_gone(owner, redis_leases) is None


def test_this_hosts_processes_are_answered_by_proc_and_a_store_away_by_none() -> None:
    class Away:
        def held(self, owner: str) -> bool:
            raise ConnectionError("store away")

    assert owner_gone(this_process(), Away()) is False  # /proc: no store asked
    assert owner_gone(_foreign_owner(), Away()) is None
    assert owner_gone("not an identity", Away()) is None


def test_a_worker_holds_its_lease_until_it_stops(engine: Engine) -> None:
    store, owner = DatabaseLeases(engine), _foreign_owner()

    async def run() -> tuple[bool | None, bool | None]:
        holder = asyncio.create_task(hold_lease(owner, store, renew_every=0.1, lease_seconds=0.3))
        await asyncio.sleep(0.6)  # longer than one lease: renewed meanwhile
        while_running = owner_gone(owner, store)
        holder.cancel()
        await asyncio.gather(holder, return_exceptions=True)
        return while_running, owner_gone(owner, store)

    assert run_coroutine(run()) == (False, True)
