"""A tab whose worker died keeps its token (and so its state) when it reconnects.

Against a real Redis (the machine's, database 9, keys of this test only) and
Reflex's own ``RedisTokenManager`` as ``tab_recovery`` patches it.
"""

from __future__ import annotations

import pickle
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from reflex.utils.token_manager import RedisTokenManager, SocketRecord

from support_app.process_identity import this_process
from support_app.ui import tab_recovery
from tests.conftest import run_coroutine

REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture(scope="module", autouse=True)
def patched() -> None:
    tab_recovery.install()


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen]:
    child = subprocess.Popen(["sleep", "30"])
    yield child
    child.kill()
    child.wait()


def _identity(pid: int) -> str:
    ticks = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    return f"{this_process().rsplit(':', 2)[0]}:{pid}:{ticks}"


async def _relink(owner_identity: str) -> tuple[str, str | None, bytes | None]:
    """A tab whose socket record names ``owner_identity`` reconnects here: its token,
    what linking it returned, and the record Redis then holds."""
    redis = Redis.from_url(REDIS_URL)
    manager = RedisTokenManager(redis)
    token = f"tab-recovery-test-{uuid.uuid4()}"
    key, returned = manager._get_redis_key(token), None
    try:
        record = SocketRecord(instance_id=f"{owner_identity}:{uuid.uuid4()}", sid="old-sid")
        await redis.set(key, pickle.dumps(record), ex=60)
        returned = await manager.link_token_to_sid(token, "new-sid")
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


def test_a_tab_of_another_hosts_worker_is_left_to_reflexs_rule() -> None:
    token, returned, _ = run_coroutine(_relink("elsewhere:4242:99"))
    assert returned is not None and returned != token
