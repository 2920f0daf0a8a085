"""``GET /healthz`` (the process answers) and ``GET /readyz`` (it can serve users).

- ``/healthz`` touches no dependency: 200 whenever the worker's event loop runs. A
  supervisor restarts a process whose ``/healthz`` fails; a database outage must
  never make it restart healthy workers.
- ``/readyz`` checks the database and, when ``REFLEX_REDIS_URL`` is set, Redis: 200
  when every check passed, else 503; a load balancer sends users only to ready
  instances. The checks run concurrently, each bounded to ``CHECK_TIMEOUT_S`` on
  the client side (a frozen server accepts connections and then never answers, so
  server-side timeouts cannot help), and the answer is cached for
  ``CACHE_SECONDS`` with at most one round of checks in flight per worker, so
  probes and a crowd of clients cost at most one check per second.

A worker told to stop (SIGTERM) answers 503 ``{"status": "stopping"}`` at once,
without checks, for as long as it drains (``lifecycle``), so the proxy sends
nobody new to it.

The body names each check and its result (``ok``, ``timeout``, ``unavailable``),
never an address or an error text; the cause is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache

from sqlalchemy import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support_app import lifecycle, routes
from support_app.db import get_engine
from support_app.settings import Settings, get_settings

CHECK_TIMEOUT_S = 1.0
CACHE_SECONDS = 1.0

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[None]]


class Readiness:
    """The dependency checks of one worker, bounded, concurrent and briefly cached."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        *,
        timeout: float = CHECK_TIMEOUT_S,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._checks = dict(checks)
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._result: dict[str, str] | None = None
        self._checked_at = 0.0
        self._in_flight: asyncio.Future[dict[str, str]] | None = None

    async def results(self) -> dict[str, str]:
        """``{check: "ok" | "timeout" | "unavailable"}``, at most ``cache_seconds`` old."""
        if self._result is not None and time.monotonic() - self._checked_at < self._cache_seconds:
            return self._result
        if self._in_flight is None or self._in_flight.done():
            self._in_flight = asyncio.ensure_future(self._run_checks())
        # Shielded: a probe that hangs up does not cancel the round others wait for.
        return await asyncio.shield(self._in_flight)

    async def _run_checks(self) -> dict[str, str]:
        names = list(self._checks)
        outcomes = await asyncio.gather(*(self._run_one(name) for name in names))
        self._result = dict(zip(names, outcomes, strict=True))
        self._checked_at = time.monotonic()
        return self._result

    async def _run_one(self, name: str) -> str:
        try:
            await asyncio.wait_for(self._checks[name](), self._timeout)
        except TimeoutError:
            logger.error("readiness: %s did not answer within %.1f s", name, self._timeout)
            return "timeout"
        except Exception as error:
            logger.error("readiness: %s unavailable: %s: %s", name, type(error).__name__, error)
            return "unavailable"
        return "ok"


def database_check(db_url: str, timeout: float = CHECK_TIMEOUT_S) -> Check:
    """``SELECT 1`` on a new connection (PostgreSQL: async, so the bound can cancel it)."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":

        async def sqlite_check() -> None:
            def select_one() -> None:
                with get_engine(db_url).connect() as connection:
                    connection.exec_driver_sql("SELECT 1")

            await asyncio.to_thread(select_one)

        return sqlite_check

    import psycopg

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    # Server-side bound too, so a slow (not frozen) server ends the statement itself.
    options = f"-c statement_timeout={int(timeout * 1000)}"

    async def postgresql_check() -> None:
        connection = await psycopg.AsyncConnection.connect(
            conninfo, connect_timeout=max(2, int(timeout) + 1), options=options, autocommit=True
        )
        try:
            await connection.execute("SELECT 1")
        finally:
            await connection.close()

    return postgresql_check


def redis_check(redis_url: str, timeout: float = CHECK_TIMEOUT_S) -> Check:
    """``PING`` on a new connection with socket timeouts of its own."""
    from redis.asyncio import Redis

    async def check() -> None:
        client = Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            await client.ping()
        finally:
            await client.aclose()

    return check


def readiness_for(settings: Settings) -> Readiness:
    """The checks this configuration needs: the database, and Redis when it is used."""
    checks = {"database": database_check(settings.db_url)}
    if settings.redis_url:
        checks["redis"] = redis_check(settings.redis_url)
    return Readiness(checks)


@lru_cache(maxsize=1)
def process_readiness() -> Readiness:
    """This worker's checks, shared by ``/readyz`` and ``/metrics`` (one cache)."""
    return readiness_for(get_settings())


def health_routes(readiness: Callable[[], Readiness] | None = None) -> Starlette:
    """The two routes as a Starlette app; ``readiness`` is swappable for tests."""
    readiness_instance: Readiness | None = None

    def current_readiness() -> Readiness:
        nonlocal readiness_instance
        if readiness_instance is None:
            readiness_instance = (readiness or process_readiness)()
        return readiness_instance

    async def healthz(_request: Request) -> Response:
        return _no_store(JSONResponse({"status": "ok"}))

    async def readyz(_request: Request) -> Response:
        if lifecycle.draining():
            return _no_store(JSONResponse({"status": "stopping", "checks": {}}, status_code=503))
        checks = await current_readiness().results()
        ready = all(outcome == "ok" for outcome in checks.values())
        return _no_store(
            JSONResponse(
                {"status": "ready" if ready else "unavailable", "checks": checks},
                status_code=200 if ready else 503,
            )
        )

    return Starlette(
        routes=[
            Route(routes.HEALTHZ, healthz, methods=["GET", "HEAD"]),
            Route(routes.READYZ, readyz, methods=["GET", "HEAD"]),
        ]
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
