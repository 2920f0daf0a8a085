"""Reflex's Redis state store answers within a bound (``event_log.bound_state_store``).

A frozen Redis accepts a connection and then never answers; here a socket that
does exactly that stands in for it, with redis-py's real client on top.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from support_app.reflex_patches.event_log import (
    _DELETE_IF_UNCHANGED,
    BoundedCommands,
    bound_state_store,
)


@dataclass
class _StateManager:
    redis: Redis


async def _silent_server() -> tuple[asyncio.Server, list[bytes]]:
    """Accepts connections, reads what is sent and never replies."""
    received: list[bytes] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            received.append(data)

    return await asyncio.start_server(swallow, "127.0.0.1", 0), received


def test_a_command_to_a_redis_that_never_answers_fails_at_the_bound() -> None:
    async def scenario() -> tuple[float, str, list[bool]]:
        server, received = await _silent_server()
        port = server.sockets[0].getsockname()[1]
        client = Redis(host="127.0.0.1", port=port)
        bound_state_store(_StateManager(client), 0.3)
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError) as raised:
            # The outer wait only keeps this test from hanging if the bound is missing.
            await asyncio.wait_for(client.set("token-abc_lock", "lock-id", px=10_000, nx=True), 5)
        elapsed = time.monotonic() - started
        pool = client.connection_pool
        connected = [
            c.is_connected for c in [*pool._in_use_connections, *pool._available_connections]
        ]
        await client.aclose()
        server.close()
        assert received, "the command never reached the server"
        return elapsed, str(raised.value), connected

    elapsed, message, connected = asyncio.run(scenario())
    assert 0.3 <= elapsed < 1.5
    assert message == "the state store did not answer SET within 0.3 s"
    assert "token-abc" not in message and "lock-id" not in message  # no keys or values
    assert connected == [False]  # the connection with the unread reply went back closed


def test_answers_within_the_bound_pass_through() -> None:
    class _Client:
        async def execute_command(self, *args: object, **options: object) -> object:
            return ("answered", args, options)

    manager = _StateManager(_Client())  # type: ignore[arg-type]
    bound_state_store(manager, 1)
    bounded = manager.redis.execute_command
    bound_state_store(manager, 1)  # installing twice wraps once
    assert manager.redis.execute_command is bounded
    result = asyncio.run(manager.redis.execute_command("GET", "key", keys=["key"]))
    assert result == ("answered", ("GET", "key"), {"keys": ["key"]})


class _FrozenThenThawed:
    """A Redis that answers nothing until ``thaw()``, recording what it was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[object, ...]] = []
        self._thawed = asyncio.Event()

    def thaw(self) -> None:
        self._thawed.set()

    async def __call__(self, *args: object, **options: object) -> object:
        self.sent.append(args)
        await self._thawed.wait()
        return None


def test_a_lock_request_cut_short_is_undone_after_redis_answers_again() -> None:
    redis = _FrozenThenThawed()
    bounded = BoundedCommands(redis, 0.05)
    undo = ("EVAL", _DELETE_IF_UNCHANGED, 1, b"tab_lock", b"open_dialog:1")

    async def scenario() -> None:
        with pytest.raises(RedisTimeoutError):
            await bounded("SET", b"tab_lock", b"open_dialog:1", "PX", 10_000, "NX")
        with pytest.raises(RedisTimeoutError):
            await bounded("MGET", b"tab_state")  # still frozen: nothing to undo yet
        assert undo not in redis.sent
        redis.thaw()
        await bounded("GET", b"tab_state")  # Redis answers: the late lock is undone
        await bounded("GET", b"tab_state")

    asyncio.run(scenario())
    assert redis.sent.count(undo) == 1
    assert redis.sent.index(undo) == redis.sent.index(("GET", b"tab_state")) + 1


def test_only_writes_made_if_absent_are_undone_however_late_redis_answers() -> None:
    redis = _FrozenThenThawed()
    bounded = BoundedCommands(redis, 0.05)

    async def scenario() -> None:
        with pytest.raises(RedisTimeoutError):  # its PX runs from when Redis carries it out
            await bounded("SET", b"tab_lock", b"id", "PX", 1, "NX")
        with pytest.raises(RedisTimeoutError):
            await bounded("SET", b"tab_state", b"pickle", "EX", 3600)  # not NX
        await asyncio.sleep(0.1)
        redis.thaw()
        await bounded("GET", b"tab_state")

    asyncio.run(scenario())
    assert [args[0] for args in redis.sent] == ["SET", "SET", "GET", "EVAL"]
    assert redis.sent[-1][3:] == (b"tab_lock", b"id")


def test_a_state_store_without_redis_is_left_alone() -> None:
    class _InMemory:
        pass

    bound_state_store(_InMemory(), 1)  # nothing to bound, nothing raised


def test_each_failed_state_store_command_counts_as_a_redis_error() -> None:
    """``/metrics``' Redis errors: a command cut at the bound and one refused both count."""

    def errors() -> float:
        return (
            REGISTRY.get_sample_value(
                "support_app_dependency_errors_total", {"dependency": "redis"}
            )
            or 0.0
        )

    async def scenario() -> None:
        server, _ = await _silent_server()
        port = server.sockets[0].getsockname()[1]
        frozen = Redis(host="127.0.0.1", port=port)
        bound_state_store(_StateManager(frozen), 0.2)
        with pytest.raises(RedisTimeoutError):
            await frozen.get("token-abc")
        await frozen.aclose()
        server.close()
        await server.wait_closed()
        refused = Redis(host="127.0.0.1", port=port)  # nothing listens there now
        bound_state_store(_StateManager(refused), 0.2)
        with pytest.raises((RedisConnectionError, RedisTimeoutError)):  # refused, retried
            await refused.get("token-abc")
        await refused.aclose()

    before = errors()
    asyncio.run(scenario())
    assert errors() == before + 2
