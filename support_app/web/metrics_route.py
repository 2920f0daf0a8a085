"""``GET /metrics``: the instance's Prometheus metrics, for the monitoring network only.

Answered only to client addresses in ``SUPPORT_APP_METRICS_ALLOWED_ADDRESSES``
(loopback by default, as GitLab does for its own metrics endpoint); everyone else
gets the same 404 as any unknown path, so the endpoint is not advertised. Behind
``REFLEX_TRUSTED_PROXY_HOPS`` reverse proxies the client address is the one the
outermost trusted proxy saw, as for sign-in throttling.

The counters come from every worker of the instance (``support_app.metrics``). What
describes the present is computed when scraped, by the worker that answers:
readiness (the ``/readyz`` checks, sharing their one-second cache) and the number of
create handoffs still pending (one count on a partial index, bounded like a
readiness check and cached briefly, so a scrape every few seconds costs the
database nothing noticeable). A scrape whose count does not answer in time leaves
that metric out rather than report a guess; the failed read counts as a database
error.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from support_app import metrics
from support_app.db import get_engine
from support_app.metrics_directory import multiprocess_directory
from support_app.models import SupportRequest
from support_app.models.support_request import PENDING_CREATE
from support_app.web.client_address import client_address
from support_app.web.health_routes import CHECK_TIMEOUT_S, Readiness, process_readiness

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PENDING_CACHE_SECONDS = 5.0


def is_allowed(address: str, allowed: Iterable[Network]) -> bool:
    """Whether ``address`` (as the client address helper gives it) is in ``allowed``;
    anything that is not an IP address is not."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)


def count_pending_handoffs() -> int:
    """Create handoffs still waiting for the desk's answer (or for the sweep)."""
    with get_engine().connect() as connection:
        statement = select(func.count()).select_from(SupportRequest).where(text(PENDING_CREATE))
        return int(connection.execute(statement).scalar_one())


class PendingHandoffs:
    """The count, bounded to ``timeout`` and at most ``cache_seconds`` old."""

    def __init__(
        self,
        count: Callable[[], int] = count_pending_handoffs,
        *,
        timeout: float = CHECK_TIMEOUT_S,
        cache_seconds: float = PENDING_CACHE_SECONDS,
    ) -> None:
        self._count, self._timeout, self._cache_seconds = count, timeout, cache_seconds
        self._value: int | None = None
        self._counted_at = -cache_seconds

    async def value(self) -> int | None:
        if time.monotonic() - self._counted_at < self._cache_seconds:
            return self._value
        try:
            self._value = await asyncio.wait_for(asyncio.to_thread(self._count), self._timeout)
        except TimeoutError:
            metrics.dependency_error("database")
            self._value = None
        except SQLAlchemyError:  # counted by the engine's error hook (``db``)
            self._value = None
        self._counted_at = time.monotonic()
        return self._value


class _Present:
    """The scrape-time gauges, as a collector over values already computed."""

    def __init__(self, checks: dict[str, str], pending: int | None) -> None:
        self._checks, self._pending = checks, pending

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "support_app_ready",
            "1 when every readiness check passes (what /readyz answers 200 for), else 0.",
            value=float(all(outcome == "ok" for outcome in self._checks.values())),
        )
        up = GaugeMetricFamily(
            "support_app_dependency_up",
            "1 when the dependency answered its readiness check, else 0.",
            labels=["dependency"],
        )
        for name, outcome in sorted(self._checks.items()):
            up.add_metric([name], float(outcome == "ok"))
        yield up
        if self._pending is not None:
            yield GaugeMetricFamily(
                "support_app_handoffs_pending",
                "Create-ticket handoffs still waiting for the desk's answer (the database's).",
                value=float(self._pending),
            )


class _InProcess:
    """The default registry's metrics (no multi-process directory: one process)."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def exposition(checks: dict[str, str], pending: int | None) -> bytes:
    """The text format: every worker's counters, then the present's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    # Files only if this process keeps its values in them: the library chose when it
    # was imported, and a process that imported it before the directory was set (a
    # test importing ``rxconfig``) counts in memory.
    directory = multiprocess_directory()
    if directory is not None and values.ValueClass is not values.MutexValue:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_InProcess())
    registry.register(_Present(checks, pending))
    return generate_latest(registry)


def metrics_routes(
    *,
    allowed: Callable[[], tuple[Network, ...]],
    trusted_proxy_hops: int = 0,
    readiness: Callable[[], Readiness] = process_readiness,
    pending: Callable[[], Awaitable[int | None]] | None = None,
) -> Starlette:
    """The route as a Starlette app (the dependencies are swappable for tests)."""
    pending = pending or PendingHandoffs().value

    async def metrics_endpoint(request: Request) -> Response:
        if not is_allowed(client_address(request, trusted_proxy_hops), allowed()):
            return PlainTextResponse("Not Found", status_code=404)
        checks, count = await asyncio.gather(readiness().results(), pending())
        body = await asyncio.to_thread(exposition, checks, count)
        # The classic text format (every name and label here is plain ASCII), which
        # every Prometheus version reads.
        return Response(
            body, media_type=CONTENT_TYPE_PLAIN_0_0_4, headers={"Cache-Control": "no-store"}
        )

    return Starlette(routes=[Route(metrics.METRICS, metrics_endpoint, methods=["GET"])])
