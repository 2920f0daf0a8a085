"""A tab whose worker died keeps its token (and so its state) when it reconnects.

Against a real Redis (the machine's, database 9, keys of this test only) and
Reflex's own ``RedisTokenManager`` as ``tab_recovery`` patches it. Workers on
another host are judged by their lease (an in-memory store the test controls).
"""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

from support_app import worker_lease
from support_app.process_identity import this_process
from support_app.reflex_patches import tab_recovery
from tests.conftest import run_coroutine

REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture(scope="module", autouse=True)
def patched() -> None:
    tab_recovery.install()


class _Leases:
    """Leases held by the owners in ``live``."""

    def __init__(self) -> None:
        self.live: set[str] = set()

    def held(self, owner: str) -> bool:
        return owner in self.live


@pytest.fixture
def leases(monkeypatch: pytest.MonkeyPatch) -> _Leases:
    store = _Leases()
    monkeypatch.setattr(worker_lease, "lease_store", lambda: store)
    monkeypatch.setattr(tab_recovery, "FOREIGN_OWNER_WAIT_S", 1.5)
    return store


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen]:
    child = subprocess.Popen(["sleep", "30"])
    yield child
    child.kill()
    child.wait()


def _identity(pid: int) -> str:
    ticks = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    return f"{this_process().rsplit(':', 2)[0]}:{pid}:{ticks}"


async def _relink(owner_identity: str, meanwhile=None) -> tuple[str, str | None, bytes | None]:
    """A tab whose socket record names ``owner_identity`` reconnects here: its token,
    what linking it returned, and the record Redis then holds. ``meanwhile(redis,
    key)`` runs 0.5 s into the link."""
    redis = Redis.from_url(REDIS_URL)
    manager = RedisTokenManager(redis)
    token = f"tab-recovery-test-{uuid.uuid4()}"
    key, returned = manager._get_redis_key(token), None
    try:
        record = SocketRecord(instance_id=f"{owner_identity}:{uuid.uuid4()}", sid="old-sid")
        await redis.set(key, pickle.dumps(record), ex=60)
        link = asyncio.create_task(manager.link_token_to_sid(token, "new-sid"))
        if meanwhile is not None:
            await asyncio.sleep(0.5)
            await meanwhile(redis, key)
        returned = await link
        return token, returned, await redis.get(manager._get_redis_key(returned or token))
    finally:
        await redis.delete(key, manager._get_redis_key(returned or token))
        await manager.close()
        await redis.aclose()


def test_the_instance_id_names_this_process() -> None:
    async def instance_id() -> str:
        redis = Redis.from_url(REDIS_URL)
        manager = RedisTokenManager(redis)
        manager._reset_instance_id()  # as Reflex does in each forked worker
        await redis.aclose()
        return manager.instance_id

    assert run_coroutine(instance_id()).startswith(this_process() + ":")


def test_a_tab_of_a_killed_worker_keeps_its_token(sleeper: subprocess.Popen) -> None:
    dead = _identity(sleeper.pid)
    sleeper.kill()
    sleeper.wait()
    _, returned, record = run_coroutine(_relink(dead))
    assert returned is None  # no new token: the state stays the tab's
    assert record is not None and pickle.loads(record).sid == "new-sid"


def test_a_tab_of_a_live_worker_is_a_duplicate_and_gets_a_new_token(
    sleeper: subprocess.Popen,
) -> None:
    token, returned, _ = run_coroutine(_relink(_identity(sleeper.pid)))
    assert returned is not None and returned != token  # Reflex's duplicate-tab rule


ELSEWHERE = "elsewhere:4242:99"


def test_a_tab_of_a_lost_host_keeps_its_token(leases: _Leases) -> None:
    _, returned, record = run_coroutine(_relink(ELSEWHERE))  # no lease: gone
    assert returned is None
    assert record is not None and pickle.loads(record).sid == "new-sid"


def test_a_tab_waits_for_the_lease_of_a_host_just_lost(leases: _Leases) -> None:
    leases.live.add(ELSEWHERE)

    async def lease_runs_out(_redis: Redis, _key: str) -> None:
        leases.live.discard(ELSEWHERE)

    started = time.monotonic()
    _, returned, _ = run_coroutine(_relink(ELSEWHERE, lease_runs_out))
    assert returned is None  # linked as itself once the lease was gone
    assert 0.5 <= time.monotonic() - started < 1.5


def test_a_tab_moved_off_a_draining_instance_links_once_its_record_is_removed(
    leases: _Leases,
) -> None:
    leases.live.add(ELSEWHERE)  # the draining instance lives on for a while

    async def record_removed(redis: Redis, key: str) -> None:
        await redis.delete(key)

    _, returned, _ = run_coroutine(_relink(ELSEWHERE, record_removed))
    assert returned is None


def test_a_tab_of_a_live_worker_on_another_host_is_a_duplicate_after_the_wait(
    leases: _Leases,
) -> None:
    leases.live.add(ELSEWHERE)
    started = time.monotonic()
    token, returned, _ = run_coroutine(_relink(ELSEWHERE))
    assert returned is not None and returned != token  # Reflex's duplicate-tab rule
    assert time.monotonic() - started >= 1.5
