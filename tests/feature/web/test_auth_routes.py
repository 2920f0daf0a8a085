"""The sign-in/sign-out routes and the event-socket guard over HTTP (Starlette TestClient).

The routes run against a real migrated SQLite database; what is checked is what
a browser gets: status, redirect target, and the Set-Cookie attributes.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.cookies import SimpleCookie

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from support_app.models import AuditLog, UserSession
from support_app.services import authentication
from support_app.services.authentication import hash_session_token
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.settings import Settings, SignInSessions
from support_app.web.auth_routes import SIGN_IN_WORKERS, auth_routes
from support_app.web.socket_guard import EventSocketGuard
from tests.conftest import run_coroutine

ORIGIN = "http://testserver"
OWNER = "owner@contoso.example"
SETTINGS = Settings(
    db_url="unused",
    product_name="TenantPilot",
    public_url=ORIGIN,
    sessions=SignInSessions(
        absolute_seconds=3600, idle_seconds=1800, free_failures=5, backoff_seconds=60
    ),
    multi_worker=False,
    support_desk=None,
)


def _client(engine: Engine, settings: Settings = SETTINGS, **kwargs) -> TestClient:
    app = auth_routes(
        allowed_origins=[ORIGIN], engine=lambda: engine, settings=lambda: settings, **kwargs
    )
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with _client(sqlite_engine) as test_client:
        yield test_client


def _post(client: TestClient, path: str, data: dict | None = None, **headers: str):
    return client.post(path, data=data, headers={"origin": ORIGIN, **headers})


def _set_cookies(response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        found.update({name: cookie for name in cookie})
    return found


def test_sign_in_sets_an_httponly_lax_session_cookie_and_redirects_home(
    client: TestClient, sqlite_engine: Engine
) -> None:
    response = _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})

    assert response.status_code == 303 and response.headers["location"] == "/"
    raw = next(h for h in response.headers.get_list("set-cookie") if h.startswith("sa_session="))
    morsel = _set_cookies(response)["sa_session"]["sa_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert morsel["max-age"] == "3600"
    assert "secure" not in raw.lower()  # http public URL
    with Session(sqlite_engine) as session:
        stored = session.exec(select(UserSession.token_hash)).all()
    assert hash_session_token(morsel.value) in stored
    # The user's language for the Reflex pages (readable by them, so not HttpOnly).
    locale = _set_cookies(response)["sa_locale"]["sa_locale"]
    assert locale.value == "en" and not locale["httponly"]


def test_the_cookie_is_secure_when_the_public_url_is_https(sqlite_engine: Engine) -> None:
    https = replace(SETTINGS, public_url="https://support.example")
    app = auth_routes(
        allowed_origins=["https://support.example"],
        engine=lambda: sqlite_engine,
        settings=lambda: https,
    )
    with TestClient(app, base_url="https://support.example", follow_redirects=False) as client:
        response = client.post(
            "/auth/sign-in",
            data={"email": OWNER, "password": DEMO_PASSWORD},
            headers={"origin": "https://support.example"},
        )
    assert response.status_code == 303
    for header in response.headers.get_list("set-cookie"):
        assert "secure" in header.lower()
    # A __Host- cookie: Secure, Path=/, no Domain, so no sibling host can shadow it.
    host_cookie = _set_cookies(response)["__Host-sa_session"]["__Host-sa_session"]
    assert host_cookie["path"] == "/" and not host_cookie["domain"]
    assert "sa_session" not in _set_cookies(response)


def test_a_duplicated_session_cookie_is_refused_and_sign_out_ends_both(
    client: TestClient, sqlite_engine: Engine
) -> None:
    client.cookies.clear()
    first = _signed_in_cookie(client)
    client.cookies.clear()
    second = _signed_in_cookie(client)
    client.cookies.clear()
    both = f"sa_session={first}; sa_session={second}"

    # Signing in again ends neither guess...
    _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD}, cookie=both)
    client.cookies.clear()
    with Session(sqlite_engine) as session:
        hashes = set(session.exec(select(UserSession.token_hash)).all())
    assert {hash_session_token(first), hash_session_token(second)} <= hashes
    # ...and signing out ends every session named.
    response = _post(client, "/auth/sign-out", cookie=both)
    assert response.status_code == 303
    with Session(sqlite_engine) as session:
        hashes = set(session.exec(select(UserSession.token_hash)).all())
    assert not {hash_session_token(first), hash_session_token(second)} & hashes


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": OWNER, "password": "wrong"}, "invalid"),
        ({"email": "nobody@contoso.example", "password": DEMO_PASSWORD}, "invalid"),
        ({"email": OWNER, "password": ""}, "required"),
        ({"email": " ", "password": "x"}, "required"),
        ({}, "required"),
    ],
)
def test_failures_redirect_to_the_login_page_with_an_error_code(
    client: TestClient, data: dict, error: str
) -> None:
    response = _post(client, "/auth/sign-in", data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?error={error}"
    assert "sa_session" not in _set_cookies(response)


def test_a_non_form_body_counts_as_empty(client: TestClient) -> None:
    response = client.post(
        "/auth/sign-in",
        json={"email": OWNER, "password": DEMO_PASSWORD},
        headers={"origin": ORIGIN},
    )
    assert response.headers["location"] == "/login?error=required"


def test_the_sixth_failure_is_throttled_with_minutes_to_wait(client: TestClient) -> None:
    for _ in range(5):
        assert (
            "error=invalid"
            in _post(client, "/auth/sign-in", {"email": OWNER, "password": "x"}).headers["location"]
        )
    response = _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
    assert response.headers["location"] == "/login?error=throttled&minutes=1"


def test_the_client_address_comes_from_trusted_proxies_only(sqlite_engine: Engine) -> None:
    def failed_addresses() -> list[str]:
        with Session(sqlite_engine) as session:
            rows = session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in_failed"))
            return [r.metadata_json["client_address"] for r in rows]

    body = {"email": "nobody@contoso.example", "password": "x"}
    forwarded = {"x-forwarded-for": "198.51.100.1, 203.0.113.5"}
    with _client(sqlite_engine) as direct:
        _post(direct, "/auth/sign-in", body, **forwarded)
    with _client(sqlite_engine, trusted_proxy_hops=1) as proxied:
        _post(proxied, "/auth/sign-in", body, **forwarded)
    assert failed_addresses() == ["testclient", "203.0.113.5"]


@pytest.mark.parametrize("path", ["/auth/sign-in", "/auth/sign-out", "/auth/sign-out-everywhere"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"referer": "https://evil.example/x"},
    ],
)
def test_posts_from_other_or_unknown_origins_are_refused(
    client: TestClient, sqlite_engine: Engine, path: str, headers: dict
) -> None:
    response = client.post(path, data={"email": OWNER, "password": DEMO_PASSWORD}, headers=headers)
    assert response.status_code == 403
    with Session(sqlite_engine) as session:
        assert session.exec(select(UserSession)).all() == []


def test_a_referer_from_the_app_is_accepted_when_origin_is_missing(client: TestClient) -> None:
    response = client.post(
        "/auth/sign-in",
        data={"email": OWNER, "password": DEMO_PASSWORD},
        headers={"referer": f"{ORIGIN}/login"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def _signed_in_cookie(client: TestClient) -> str:
    response = _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
    return _set_cookies(response)["sa_session"]["sa_session"].value


@pytest.mark.parametrize(
    ("path", "left"), [("/auth/sign-out", 1), ("/auth/sign-out-everywhere", 0)]
)
def test_sign_out_deletes_the_session_and_the_cookie(
    client: TestClient, sqlite_engine: Engine, path: str, left: int
) -> None:
    client.cookies.clear()
    _signed_in_cookie(client)
    client.cookies.clear()
    token = _signed_in_cookie(client)
    client.cookies.clear()

    response = _post(client, path, cookie=f"sa_session={token}")

    assert response.status_code == 303 and response.headers["location"] == "/login"
    deleted = _set_cookies(response)["sa_session"]["sa_session"]
    assert deleted.value == "" and deleted["max-age"] == "0"
    with Session(sqlite_engine) as session:
        hashes = session.exec(select(UserSession.token_hash)).all()
    assert hash_session_token(token) not in hashes
    assert len(hashes) == left


# --- the event-socket guard ------------------------------------------------------------


def _guarded() -> TestClient:
    async def echo_cookie(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(websocket.headers.get("cookie", ""))
        await websocket.close()

    async def plain(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.headers.get("cookie", ""))

    inner = Starlette(
        routes=[
            WebSocketRoute("/_event/", echo_cookie),
            Route("/_event/", plain),
            Route("/other", plain),
        ]
    )
    return TestClient(
        EventSocketGuard(
            inner, allowed_origins=[ORIGIN], event_path="/_event", session_cookie="sa_session"
        )
    )


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null"])
def test_socket_handshakes_without_an_allowed_origin_are_refused(origin: str | None) -> None:
    headers = {"origin": origin} if origin else {}
    with _guarded() as client:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/_event/?EIO=4&transport=websocket", headers=headers),
        ):
            pass
        assert refused.value.code == 1008
        assert client.get("/_event/", headers=headers).status_code == 403
        # Other paths are not the guard's business.
        assert client.get("/other").status_code == 200


def test_reflex_sees_the_session_token_only_as_its_hash() -> None:
    token = "t" * 43
    cookie = f"sa_locale=de; sa_session={token}; other=1"
    with (
        _guarded() as client,
        client.websocket_connect(
            "/_event/?EIO=4&transport=websocket", headers={"origin": ORIGIN, "cookie": cookie}
        ) as socket,
    ):
        seen = socket.receive_text()
    assert token not in seen
    assert seen == f"sa_locale=de; sa_session={hash_session_token(token)}; other=1"


def test_a_duplicated_session_cookie_is_dropped_at_the_socket_not_guessed() -> None:
    cookie = f"sa_session={'a' * 43}; sa_locale=de; sa_session={'b' * 43}"
    with (
        _guarded() as client,
        client.websocket_connect("/_event/", headers={"origin": ORIGIN, "cookie": cookie}) as ws,
    ):
        assert ws.receive_text() == "sa_locale=de"


def test_an_oversized_session_cookie_is_dropped_at_the_socket() -> None:
    with (
        _guarded() as client,
        client.websocket_connect(
            "/_event/", headers={"origin": ORIGIN, "cookie": f"sa_session={'x' * 500}; a=b"}
        ) as socket,
    ):
        assert socket.receive_text() == "a=b"


def test_password_checks_queue_on_their_own_pool_of_one_thread_per_core_less_one(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood of sign-ins runs at most one Argon2 check per core less one, on the
    sign-in pool only, never on the default executor that serves other users' events."""
    running, peak, threads = 0, 0, set()
    lock = threading.Lock()
    real = authentication.verify_password

    def observed(password_hash: str | None, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            threads.add(threading.current_thread().name)
        try:
            return real(password_hash, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(authentication, "verify_password", observed)
    app = auth_routes(
        allowed_origins=[ORIGIN], engine=lambda: sqlite_engine, settings=lambda: SETTINGS
    )

    async def flood() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            responses = await asyncio.gather(
                *(
                    client.post(
                        "/auth/sign-in",
                        data={"email": f"user{i}@example.test", "password": "x"},
                        headers={"origin": ORIGIN},
                    )
                    for i in range(4)
                )
            )
        return [r.status_code for r in responses]

    assert run_coroutine(flood()) == [303] * 4
    assert 1 <= peak <= SIGN_IN_WORKERS == max(1, (os.cpu_count() or 1) - 1)
    assert threads and all(name.startswith("sign-in") for name in threads)
