"""Drills on the scaled app (PostgreSQL + Redis + 2 workers), what an operator sees.

Each drill breaks one dependency, checks the app's answers and their timing, and
restores the dependency before it ends, so the next drill starts from a healthy app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from http.cookies import SimpleCookie

import httpx
import pytest
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import UserSession
from support_app.services.authentication import hash_session_token
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.web.auth_routes import DATABASE_DEADLINE_S
from support_app.web.health_routes import CACHE_SECONDS
from tests.conftest import run_coroutine
from tests.event_client import EventClient
from tests.resilience.conftest import (
    RESILIENCE_WORKERS,
    PrivatePostgres,
    PrivateRedis,
    ScaledApp,
    get_readyz,
)

OWNER = "owner@contoso.example"
# /readyz must answer within this, whatever a dependency does (the bound).
READYZ_BOUND_S = 2.0
# How long a SIGKILLed worker takes to be gone (its accepted connections with it).
KILL_SETTLE_S = 0.5


def _wait_for_readyz(
    app: ScaledApp, status: int, timeout: float, checks: dict[str, str] | None = None
) -> tuple[dict, float]:
    """Probe until ``/readyz`` answers ``status`` (with ``checks``, when given); every
    answer must come within the bound. Returns the body and the seconds it took."""
    started = time.monotonic()
    while True:
        code, body, took = get_readyz(app)
        assert took < READYZ_BOUND_S, f"/readyz took {took:.2f} s ({body})"
        if code == status and checks in (None, body["checks"]):
            return body, time.monotonic() - started
        assert time.monotonic() - started < timeout, f"/readyz still {code} {body}"
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def healthy_before(scaled_app: ScaledApp) -> None:
    """Every worker ready (each caches its answer): only 200s for a steady second and a half."""
    deadline = time.monotonic() + 30
    steady_since = time.monotonic()
    while time.monotonic() - steady_since < CACHE_SECONDS + 0.5:
        assert time.monotonic() < deadline, "the app did not become steadily ready"
        if get_readyz(scaled_app)[0] != 200:
            steady_since = time.monotonic()
        time.sleep(0.1)


def test_readyz_answers_503_within_two_seconds_while_postgresql_is_frozen_and_recovers(
    scaled_app: ScaledApp, private_postgres: PrivatePostgres
) -> None:
    private_postgres.freeze()
    try:
        _, after = _wait_for_readyz(scaled_app, 503, 5, {"database": "timeout", "redis": "ok"})
        assert httpx.get(scaled_app.url + "/healthz", timeout=2, trust_env=False).is_success
    finally:
        private_postgres.thaw()
    _, recovered = _wait_for_readyz(scaled_app, 200, 10)
    print(f"\npostgresql frozen: /readyz 503 after {after:.1f} s, 200 {recovered:.1f} s after thaw")


def test_readyz_answers_503_within_two_seconds_while_redis_is_frozen_and_recovers(
    scaled_app: ScaledApp, private_redis: PrivateRedis
) -> None:
    private_redis.freeze()
    try:
        _, after = _wait_for_readyz(scaled_app, 503, 5, {"database": "ok", "redis": "timeout"})
    finally:
        private_redis.thaw()
    _, recovered = _wait_for_readyz(scaled_app, 200, 10)
    print(f"\nredis frozen: /readyz 503 after {after:.1f} s, 200 {recovered:.1f} s after thaw")


def test_readyz_answers_503_at_once_while_redis_is_stopped_and_tabs_work_after_its_restart(
    scaled_app: ScaledApp, private_redis: PrivateRedis
) -> None:
    private_redis.stop()
    try:
        _, after = _wait_for_readyz(scaled_app, 503, 5, {"database": "ok", "redis": "unavailable"})
    finally:
        private_redis.start()
    _, recovered = _wait_for_readyz(scaled_app, 200, 10)
    took = run_coroutine(_a_new_tab_answers(scaled_app))
    print(
        f"\nredis stopped: /readyz 503 after {after:.1f} s, 200 {recovered:.1f} s after the "
        f"restart; a new tab signed in and answered in {took:.1f} s"
    )


async def _a_new_tab_answers(app: ScaledApp) -> float:
    started = time.monotonic()
    [tab] = await _open_tabs(app, 1)
    await tab.close()
    return time.monotonic() - started


def test_sign_out_with_postgresql_frozen_expires_the_cookie_within_the_deadline(
    scaled_app: ScaledApp, private_postgres: PrivatePostgres
) -> None:
    signed_in = _post(scaled_app, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
    token = _session_cookie(signed_in)["sa_session"].value
    private_postgres.freeze()
    try:
        started = time.monotonic()
        sign_out = _post(scaled_app, "/auth/sign-out", cookie=f"sa_session={token}")
        took = time.monotonic() - started
        assert sign_out.status_code == 503 and took < DATABASE_DEADLINE_S + 1.5, took
        expired = _session_cookie(sign_out)["sa_session"]
        assert expired.value == "" and expired["max-age"] == "0"
    finally:
        private_postgres.thaw()
    ended = _wait_until_session_ended(private_postgres, token)
    print(
        f"\npostgresql frozen: sign-out 503 in {took:.1f} s (cookie expired), "
        f"session ended {ended:.1f} s after the thaw"
    )


def _post(app: ScaledApp, path: str, data: dict | None = None, cookie: str = "") -> httpx.Response:
    headers = {"origin": app.url}
    if cookie:
        headers["cookie"] = cookie
    return httpx.post(app.url + path, data=data, headers=headers, timeout=30, trust_env=False)


def _wait_until_session_ended(postgres: PrivatePostgres, token: str) -> float:
    """Seconds until the session row of ``token`` is gone (the sign-out recorded)."""
    back = time.monotonic()
    engine = create_db_engine(postgres.url("support_app"))
    try:
        while True:
            with Session(engine) as session:
                hashes = session.exec(select(UserSession.token_hash)).all()
            if hash_session_token(token) not in hashes:
                return time.monotonic() - back
            assert time.monotonic() - back < 15, "the sign-out was never recorded"
            time.sleep(0.5)
    finally:
        engine.dispose()


def _session_cookie(response: httpx.Response) -> SimpleCookie:
    cookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookie.load(header)
    return cookie


def test_sign_in_and_sign_out_with_postgresql_stopped_fail_safe(
    scaled_app: ScaledApp, private_postgres: PrivatePostgres
) -> None:
    signed_in = _post(scaled_app, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 303
    token = _session_cookie(signed_in)["sa_session"].value

    private_postgres.stop()
    try:
        _wait_for_readyz(scaled_app, 503, 5)
        started = time.monotonic()
        sign_in = _post(scaled_app, "/auth/sign-in", {"email": OWNER, "password": DEMO_PASSWORD})
        sign_in_took = time.monotonic() - started
        assert sign_in.status_code == 503 and sign_in.headers["retry-after"] == "30"
        assert f'value="{OWNER}"' in sign_in.text and "Temporarily unavailable" in sign_in.text

        started = time.monotonic()
        sign_out = _post(scaled_app, "/auth/sign-out", cookie=f"sa_session={token}")
        sign_out_took = time.monotonic() - started
        assert sign_out.status_code == 503 and sign_out.headers["retry-after"] == "30"
        expired = _session_cookie(sign_out)["sa_session"]
        assert expired.value == "" and expired["max-age"] == "0"
        assert "You are signed out in this browser" in sign_out.text
    finally:
        private_postgres.start()
    ended = _wait_until_session_ended(private_postgres, token)
    print(
        f"\npostgresql stopped: sign-in 503 in {sign_in_took:.2f} s, sign-out 503 in "
        f"{sign_out_took:.2f} s (cookie expired), session ended {ended:.1f} s after restart"
    )


async def _open_tabs(app: ScaledApp, count: int) -> list[EventClient]:
    tabs = []
    for _ in range(count):
        tab = EventClient(app.url)
        await tab.sign_in(OWNER, DEMO_PASSWORD)
        await tab.connect()
        await tab.probe()
        tabs.append(tab)
    return tabs


async def _every_tab_answers(tabs: list[EventClient]) -> int:
    """Each tab answers a probe, reconnecting first if its worker died; how many did."""
    reconnected = 0
    for tab in tabs:
        if not tab.connected:
            await tab.close()
            await tab.connect()
            reconnected += 1
        await tab.probe(timeout=10)
    return reconnected


async def _kill_a_worker_with_tabs_open(app: ScaledApp) -> str:
    """The drill, on one event loop (the tabs' sockets live on it); its figures."""
    tabs = await _open_tabs(app, 6)
    try:
        workers = app.workers()
        assert len(workers) == RESILIENCE_WORKERS, workers
        os.kill(workers[0], signal.SIGKILL)
        killed = time.monotonic()

        answers: list[tuple[float, int | str]] = []

        async def probe_until(seconds: float) -> None:
            while (sent := time.monotonic() - killed) < seconds:
                try:
                    answers.append((sent, (await asyncio.to_thread(get_readyz, app))[0]))
                except httpx.TransportError as error:
                    answers.append((sent, type(error).__name__))
                await asyncio.sleep(0.1)

        await probe_until(4)
        reconnected = await _every_tab_answers(tabs)
        await probe_until(8)
        # A request the dying worker had already accepted is lost with it (connection
        # reset); every request sent once it is gone is served by the others.
        lost = [answer for sent, answer in answers if sent < KILL_SETTLE_S and answer != 200]
        assert len(lost) <= 1, answers
        assert {answer for sent, answer in answers if sent >= KILL_SETTLE_S} == {200}, answers

        while len(current := app.workers()) < RESILIENCE_WORKERS or workers[0] in current:
            assert time.monotonic() - killed < 30, f"no new worker: {current}"
            await asyncio.sleep(0.2)
        respawned = time.monotonic() - killed
        assert workers[1] in current
        await _every_tab_answers(tabs)  # and the tabs still work beside the new worker
    finally:
        for tab in tabs:
            await tab.close()
    return (
        f"{len(answers)} /readyz probes, {len(answers) - len(lost)} answered 200 "
        f"({len(lost)} in flight at the kill reset); then all {len(tabs)} tabs answered "
        f"({reconnected} reconnected to the surviving worker); "
        f"respawned in {respawned:.1f} s"
    )


def test_a_killed_worker_is_respawned_and_the_app_keeps_serving(scaled_app: ScaledApp) -> None:
    print(f"\nworker killed: {run_coroutine(_kill_a_worker_with_tabs_open(scaled_app))}")
