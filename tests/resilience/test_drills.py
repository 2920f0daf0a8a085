"""Drills on the scaled app (PostgreSQL + Redis + 2 workers), what an operator sees.

Each drill breaks one dependency, checks the app's answers and their timing, and
restores the dependency before it ends, so the next drill starts from a healthy app.
"""

from __future__ import annotations

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


def _wait_for_readyz(app: ScaledApp, status: int, timeout: float) -> tuple[dict, float]:
    """Probe until ``/readyz`` answers ``status``; every answer within the bound."""
    started = time.monotonic()
    while True:
        code, body, took = get_readyz(app)
        assert took < READYZ_BOUND_S, f"/readyz took {took:.2f} s ({body})"
        if code == status:
            return body, time.monotonic() - started
        assert time.monotonic() - started < timeout, f"/readyz still {code} {body}"
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def healthy_before_and_after(scaled_app: ScaledApp) -> None:
    _wait_for_readyz(scaled_app, 200, 30)


def test_readyz_answers_503_within_two_seconds_while_postgresql_is_frozen_and_recovers(
    scaled_app: ScaledApp, private_postgres: PrivatePostgres
) -> None:
    private_postgres.freeze()
    try:
        body, after = _wait_for_readyz(scaled_app, 503, 5)
        assert body["checks"]["database"] == "timeout" and body["checks"]["redis"] == "ok"
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
        body, after = _wait_for_readyz(scaled_app, 503, 5)
        assert body["checks"] == {"database": "ok", "redis": "timeout"}
    finally:
        private_redis.thaw()
    _, recovered = _wait_for_readyz(scaled_app, 200, 10)
    print(f"\nredis frozen: /readyz 503 after {after:.1f} s, 200 {recovered:.1f} s after thaw")


def _post(app: ScaledApp, path: str, data: dict | None = None, cookie: str = "") -> httpx.Response:
    headers = {"origin": app.url}
    if cookie:
        headers["cookie"] = cookie
    return httpx.post(app.url + path, data=data, headers=headers, timeout=30, trust_env=False)


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
    restarted = time.monotonic()

    engine = create_db_engine(private_postgres.url("support_app"))
    try:
        while True:
            with Session(engine) as session:
                hashes = session.exec(select(UserSession.token_hash)).all()
            if hash_session_token(token) not in hashes:
                break
            assert time.monotonic() - restarted < 15, "the sign-out was never recorded"
            time.sleep(0.5)
    finally:
        engine.dispose()
    ended = time.monotonic() - restarted
    print(
        f"\npostgresql stopped: sign-in 503 in {sign_in_took:.2f} s, sign-out 503 in "
        f"{sign_out_took:.2f} s (cookie expired), session ended {ended:.1f} s after restart"
    )


def test_a_killed_worker_is_respawned_and_the_app_keeps_serving(scaled_app: ScaledApp) -> None:
    workers = scaled_app.workers()
    assert len(workers) == RESILIENCE_WORKERS, workers
    os.kill(workers[0], signal.SIGKILL)
    killed = time.monotonic()

    answers = []
    while time.monotonic() - killed < 8:
        answers.append(get_readyz(scaled_app)[0])
        time.sleep(0.1)
    assert answers and set(answers) == {200}, answers

    while len(current := scaled_app.workers()) < RESILIENCE_WORKERS or workers[0] in current:
        assert time.monotonic() - killed < 30, f"no new worker: {current}"
        time.sleep(0.2)
    respawned = time.monotonic() - killed
    assert workers[1] in current
    print(f"\nworker killed: {len(answers)} /readyz probes all 200; respawned in {respawned:.1f} s")
