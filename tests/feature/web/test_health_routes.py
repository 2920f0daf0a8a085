"""``/healthz`` and ``/readyz`` over HTTP, with real checks against real servers and
against a "frozen" one: a socket that accepts connections and never answers, which
is what a SIGSTOPped PostgreSQL or Redis looks like to a client."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from support_app.web.health_routes import (
    CHECK_TIMEOUT_S,
    Readiness,
    database_check,
    health_routes,
    redis_check,
)
from tests.conftest import run_coroutine


@pytest.fixture
def frozen_server() -> Iterator[int]:
    """A port whose listener accepts TCP connections (kernel backlog) but never reads."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


async def _ok() -> None:
    return None


async def _hang() -> None:
    await asyncio.sleep(3600)


async def _fail() -> None:
    raise ConnectionRefusedError("refused")


def _client(checks: dict) -> TestClient:
    return TestClient(health_routes(lambda: Readiness(checks)))


def test_healthz_answers_without_touching_any_dependency() -> None:
    with _client({"database": _hang}) as client:
        started = time.monotonic()
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert time.monotonic() - started < 0.5


def test_readyz_is_200_when_every_dependency_answers() -> None:
    with _client({"database": _ok, "redis": _ok}) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_answers_503_within_two_seconds_when_dependencies_hang_or_fail() -> None:
    with _client({"database": _hang, "redis": _fail}) as client:
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "timeout", "redis": "unavailable"},
    }
    assert elapsed < 2.0, elapsed


def test_readyz_caches_its_answer_briefly_and_runs_one_round_for_concurrent_probes() -> None:
    calls = 0

    async def counted() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)

    readiness = Readiness({"database": counted}, cache_seconds=1.0)

    async def probes() -> list[dict[str, str]]:
        burst = await asyncio.gather(*(readiness.results() for _ in range(20)))
        again = await readiness.results()  # within the cache window
        await asyncio.sleep(1.1)
        later = await readiness.results()  # cache expired: a new round
        return [*burst, again, later]

    results = run_coroutine(probes())
    assert all(result == {"database": "ok"} for result in results)
    assert calls == 2


def test_database_check_passes_on_sqlite_and_postgresql(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    run_coroutine(asyncio.wait_for(database_check(url)(), 5))


def test_database_check_on_a_frozen_postgresql_ends_at_its_bound(frozen_server: int) -> None:
    readiness = Readiness(
        {"database": database_check(f"postgresql+psycopg://app@127.0.0.1:{frozen_server}/x")}
    )
    started = time.monotonic()
    assert run_coroutine(readiness.results()) == {"database": "timeout"}
    assert time.monotonic() - started < CHECK_TIMEOUT_S + 0.5


def test_database_check_on_a_stopped_postgresql_is_unavailable(refused_port: int) -> None:
    readiness = Readiness(
        {"database": database_check(f"postgresql+psycopg://app@127.0.0.1:{refused_port}/x")}
    )
    assert run_coroutine(readiness.results()) == {"database": "unavailable"}


def test_redis_check_on_a_frozen_redis_ends_at_its_bound(frozen_server: int) -> None:
    readiness = Readiness({"redis": redis_check(f"redis://127.0.0.1:{frozen_server}/0")})
    started = time.monotonic()
    assert run_coroutine(readiness.results()) == {"redis": "timeout"}
    assert time.monotonic() - started < CHECK_TIMEOUT_S + 0.5


def test_redis_check_on_a_stopped_redis_is_unavailable(refused_port: int) -> None:
    readiness = Readiness({"redis": redis_check(f"redis://127.0.0.1:{refused_port}/0")})
    assert run_coroutine(readiness.results()) == {"redis": "unavailable"}
