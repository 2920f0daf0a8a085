"""``/metrics`` over HTTP, and the counters moving when what they count happens: sign-ins
through the real routes, requests through the real request log, database errors on a
real engine, desk calls through the real client, redactions in a stored request and
pending handoffs in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from support_app.db import create_db_engine
from support_app.logs import RequestLog
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.support_desk.contract import OutboundTicket
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.settings import SupportDeskTarget
from support_app.web.health_routes import Readiness
from support_app.web.metrics_route import PendingHandoffs, count_pending_handoffs, metrics_routes
from tests.conftest import actor_for, run_coroutine
from tests.feature.support_requests.conftest import pending_request, submit, tenant_id
from tests.feature.web.test_auth_routes import _client, _post

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
OWNER = "owner@contoso.example"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionRefusedError("refused")


def _metrics_client(
    *,
    client: tuple[str, int] = ("127.0.0.1", 50000),
    hops: int = 0,
    checks: dict | None = None,
    pending: Callable[[], Awaitable[int | None]] | None = None,
) -> TestClient:
    readiness = Readiness(checks or {"database": _ok})

    async def three() -> int:
        return 3

    app = metrics_routes(
        allowed=lambda: LOOPBACK,
        trusted_proxy_hops=hops,
        readiness=lambda: readiness,
        pending=pending or three,
    )
    return TestClient(app, client=client)


def _families(text: str) -> dict[str, list]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def test_a_loopback_scrape_gets_the_metrics_with_readiness_and_pending_handoffs() -> None:
    with _metrics_client(checks={"database": _ok, "redis": _down}) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = _families(response.text)
    assert [s.value for s in families["support_app_ready"]] == [0.0]
    assert {s.labels["dependency"]: s.value for s in families["support_app_dependency_up"]} == {
        "database": 1.0,
        "redis": 0.0,
    }
    assert [s.value for s in families["support_app_handoffs_pending"]] == [3.0]
    assert "support_app_sign_ins" in families  # the counters, from the process registry


@pytest.mark.parametrize(
    ("client", "hops", "forwarded"),
    [
        (("203.0.113.9", 50000), 0, None),  # another machine
        (("203.0.113.9", 50000), 0, "127.0.0.1"),  # claiming loopback, no proxy trusted
        (("127.0.0.1", 50000), 1, "203.0.113.9"),  # through the trusted proxy, from afar
        (("127.0.0.1", 50000), 1, "127.0.0.1, 203.0.113.9"),  # a forged entry to the left
        (("testclient", 50000), 0, None),  # not an address at all
    ],
)
def test_anyone_else_gets_the_same_404_as_an_unknown_path(
    client: tuple[str, int], hops: int, forwarded: str | None
) -> None:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    with _metrics_client(client=client, hops=hops) as test_client:
        response = test_client.get("/metrics", headers=headers)
    assert (response.status_code, response.text) == (404, "Not Found")
    assert "support_app" not in response.text


def test_a_trusted_proxy_forwarding_a_loopback_client_is_answered() -> None:
    with _metrics_client(client=("10.0.0.5", 50000), hops=1) as client:
        assert client.get("/metrics", headers={"x-forwarded-for": "127.0.0.1"}).status_code == 200
    with _metrics_client(client=("::ffff:127.0.0.1", 50000)) as client:  # IPv4 on IPv6
        assert client.get("/metrics").status_code == 200


def test_requests_count_by_route_template_and_status_class() -> None:
    async def page(_request):
        return PlainTextResponse("page")

    app = RequestLog(Starlette(routes=[Route("/tenants/{tenant_id}", page)]))
    before = sample("support_app_http_requests_total", route="other", status_class="2xx")
    missing = sample("support_app_http_requests_total", route="other", status_class="4xx")
    with TestClient(app) as client:
        client.get("/tenants/42")
        client.get("/nothing-here")
    assert sample("support_app_http_requests_total", route="other", status_class="2xx") == (
        before + 1
    )
    assert sample("support_app_http_requests_total", route="other", status_class="4xx") == (
        missing + 1
    )


def test_sign_ins_count_by_outcome_throttling_included(sqlite_engine: Engine) -> None:
    outcomes = ("signed_in", "invalid", "throttled", "required", "forbidden")
    before = {o: sample("support_app_sign_ins_total", outcome=o) for o in outcomes}
    with _client(sqlite_engine) as client:
        _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
        for _ in range(6):  # five free failures, then the back-off refuses
            _post(client, "/auth/sign-in", {"email": OWNER, "password": "wrong"})
        _post(client, "/auth/sign-in", {"email": OWNER})
        client.post("/auth/sign-in", data={"email": OWNER, "password": "x"})  # no Origin
    after = {o: sample("support_app_sign_ins_total", outcome=o) - before[o] for o in outcomes}
    assert after == {"signed_in": 1, "invalid": 5, "throttled": 1, "required": 1, "forbidden": 1}


@pytest.fixture
def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/none"


def test_a_database_that_refuses_counts_as_a_database_error(refused_url: str) -> None:
    before = sample("support_app_dependency_errors_total", dependency="database")
    engine = create_db_engine(refused_url)
    with pytest.raises(OperationalError), engine.connect():
        pass
    engine.dispose()
    assert sample("support_app_dependency_errors_total", dependency="database") == before + 1


def test_desk_calls_count_by_outcome_with_their_duration() -> None:
    def desk(request: httpx.Request) -> httpx.Response:
        if b"fails" in request.content:
            return httpx.Response(503)
        return httpx.Response(201, json={"ticket": {"id": 42}})

    service = ExternalSupportDeskHandoffService(
        SupportDeskTarget("https://desk.example", "agent@desk.example", "token"),
        transport=httpx.MockTransport(desk),
    )
    created = sample("support_app_desk_calls_total", outcome="created")
    failed = sample("support_app_desk_calls_total", outcome="http_5xx")
    timed = sample("support_app_desk_call_duration_seconds_count", outcome="http_5xx")
    for subject in ("Backups fail", "Sync fails"):
        ticket = OutboundTicket(
            subject=subject, body="b", support_reference="SR-1", severity="high", tags=()
        )
        run_coroutine(service.create_ticket(ticket))
    assert sample("support_app_desk_calls_total", outcome="created") == created + 1
    assert sample("support_app_desk_calls_total", outcome="http_5xx") == failed + 1
    assert sample("support_app_desk_call_duration_seconds_count", outcome="http_5xx") == timed + 1


def test_a_stored_request_counts_what_was_redacted_by_kind(sqlite_engine: Engine) -> None:
    before = sample("support_app_redactions_total", kind="url-credentials")
    with Session(sqlite_engine) as session:
        owner = actor_for(session, OWNER)
        context = SupportContext("tenant", str(tenant_id(session, "Fabrikam")))
    form = SupportRequestForm(
        severity="high", summary="Sync fails with https://admin:Hunter2pw@db.example/x"
    )
    submit(sqlite_engine, owner, context, form)
    assert sample("support_app_redactions_total", kind="url-credentials") == before + 1


def test_pending_handoffs_are_counted_from_the_database(engine: Engine, monkeypatch) -> None:
    monkeypatch.setattr("support_app.web.metrics_route.get_engine", lambda: engine)
    before = count_pending_handoffs()
    with Session(engine) as session:
        pending_request(engine, session)
    assert count_pending_handoffs() == before + 1
    assert run_coroutine(PendingHandoffs(count_pending_handoffs).value()) == before + 1
