"""Sign-in and sign-out while the database refuses connections (a stopped PostgreSQL).

What a browser gets: the branded, translated 503 page with ``Retry-After``; on
sign-in the e-mail kept in the form; on sign-out the cookie expired anyway (fail
closed) and the session ended on the server once the database is back.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from support_app.db import create_db_engine
from support_app.models import AuditLog, UserSession
from support_app.services.audit import AuditActionId
from support_app.services.authentication import hash_session_token
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.web import auth_routes as auth_routes_module
from support_app.web.auth_routes import auth_routes
from tests.feature.web.test_auth_routes import ORIGIN, OWNER, SETTINGS, _set_cookies


class SwitchableDatabase:
    """The routes' engine: the real one, or one whose server refuses connections."""

    def __init__(self, up: Engine) -> None:
        self.up = up
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            refused_port = s.getsockname()[1]
        self.down = create_db_engine(f"postgresql+psycopg://app@127.0.0.1:{refused_port}/app")
        self.current = up

    def __call__(self) -> Engine:
        return self.current


@pytest.fixture
def database(sqlite_engine: Engine) -> Iterator[SwitchableDatabase]:
    switchable = SwitchableDatabase(sqlite_engine)
    yield switchable
    switchable.down.dispose()


@pytest.fixture
def client(database: SwitchableDatabase) -> Iterator[TestClient]:
    app = auth_routes(allowed_origins=[ORIGIN], engine=database, settings=lambda: SETTINGS)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _post(client: TestClient, path: str, data: dict | None = None, **headers: str):
    return client.post(path, data=data, headers={"origin": ORIGIN, **headers})


def _sign_in(client: TestClient) -> str:
    response = _post(client, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
    client.cookies.clear()
    return _set_cookies(response)["sa_session"]["sa_session"].value


def _session_hashes(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(UserSession.token_hash)).all())


def test_sign_in_with_the_database_down_answers_503_keeping_the_email(
    client: TestClient, database: SwitchableDatabase
) -> None:
    database.current = database.down
    started = time.monotonic()
    response = _post(client, "/auth/sign-in", {"email": OWNER, "password": "whatever"})

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in response.text
    assert "cannot reach its database" in response.text
    assert f'value="{OWNER}"' in response.text
    assert 'action="/auth/sign-in"' in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text
    assert "set-cookie" not in response.headers


def test_the_503_page_is_german_for_a_german_reader_and_escapes_the_email(
    client: TestClient, database: SwitchableDatabase
) -> None:
    database.current = database.down
    typed = 'x"><script>alert(1)</script>@example.com'
    response = _post(
        client, "/auth/sign-in", {"email": typed, "password": "p"}, cookie="sa_locale=de"
    )
    assert response.status_code == 503
    assert '<html lang="de">' in response.text
    assert "Vorübergehend nicht verfügbar" in response.text
    assert "<script>" not in response.text
    assert 'value="x&quot;&gt;&lt;script&gt;' in response.text

    response = _post(
        client, "/auth/sign-in", {"email": OWNER, "password": "p"}, **{"accept-language": "de-DE"}
    )
    assert "Die Anmeldung ist gerade nicht möglich" in response.text


@pytest.mark.parametrize(
    ("path", "everywhere"), [("/auth/sign-out", False), ("/auth/sign-out-everywhere", True)]
)
def test_sign_out_with_the_database_down_expires_the_cookie_and_ends_the_session_later(
    client: TestClient,
    database: SwitchableDatabase,
    path: str,
    everywhere: bool,
) -> None:
    other_browser = _sign_in(client)
    token = _sign_in(client)
    database.current = database.down

    response = _post(client, path, cookie=f"sa_session={token}")

    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert "You are signed out in this browser" in response.text
    expired = _set_cookies(response)["sa_session"]["sa_session"]
    assert expired.value == "" and expired["max-age"] == "0"
    assert hash_session_token(token) in _session_hashes(database.up)  # not recorded yet

    database.current = database.up
    deadline = time.monotonic() + 10
    while hash_session_token(token) in _session_hashes(database.up):
        assert time.monotonic() < deadline, "the sign-out was not recorded after the outage"
        time.sleep(0.2)
    assert (hash_session_token(other_browser) in _session_hashes(database.up)) is not everywhere
    action = AuditActionId.SIGNED_OUT_EVERYWHERE if everywhere else AuditActionId.SIGNED_OUT
    with Session(database.up) as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == action)).first()


def test_a_database_that_does_not_answer_gets_the_503_page_at_the_deadline(
    client: TestClient, database: SwitchableDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _sign_in(client)
    monkeypatch.setattr(auth_routes_module, "DATABASE_DEADLINE_S", 0.5)

    class Frozen:
        def connect(self):
            time.sleep(2)
            raise AssertionError("the deadline should have answered first")

    database.current = Frozen()  # type: ignore[assignment]
    started = time.monotonic()
    response = _post(client, "/auth/sign-out", cookie=f"sa_session={token}")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert _set_cookies(response)["sa_session"]["sa_session"]["max-age"] == "0"
