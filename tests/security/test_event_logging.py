"""Nothing a client sends is logged verbatim.

The review sent a password to a handler name that no longer exists: the server log
kept the whole event (payload, session hash, client token). Here a canary password
travels every way a client can shape a frame that the server refuses, with and
without a session, and must appear in no log line; nor may the tab's client token or
session hash. Refusals are logged by name (truncated), size and reason, and a flood
of them adds a bounded number of lines.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from support_app.services.authentication import hash_session_token
from support_app.ui.states.support_request import SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import OPERATOR, World, run, signed_in_tab

CANARY = "Canary-Pa55word-7f3e9c"
SR = SupportRequestState.get_full_name()
LOGIN_STATE = "reflex___state____state.support_app___ui___states___login____login_state"


def _frames() -> list[tuple[str, dict | str | list | None]]:
    """(name, raw frame) pairs the server must refuse, each carrying the canary."""
    payload = {"email": "owner@contoso.example", "password": CANARY}
    route = {"pathname": "/", "asPath": "/"}
    return [
        (
            "removed handler",
            {"name": f"{LOGIN_STATE}.sign_in", "payload": payload, "router_data": route},
        ),
        ("unknown state", {"name": f"nope.{CANARY}", "payload": payload, "router_data": route}),
        (
            "known state, unknown handler",
            {"name": f"{SR}.{CANARY}", "payload": {}, "router_data": route},
        ),
        (
            "wrong arguments",
            {"name": f"{SR}.submit", "payload": {"form": CANARY}, "router_data": route},
        ),
        ("a JSON string", json.dumps({"name": f"x.{CANARY}", "payload": payload})),
        ("a string that is not JSON", f"{CANARY} {{"),
        ("a list", [CANARY, payload]),
        (
            "payload not an object",
            {"name": f"{SR}.open_dialog", "payload": [CANARY], "router_data": route},
        ),
    ]


async def _send_all(app: str, tab: EventClient) -> None:
    for _, frame in _frames():
        await tab.send("", raw=frame)
    await tab.probe()


def _new_log(app_log: Path, start: int, settle: float = 3.0) -> str:
    time.sleep(settle)  # log lines of the last frames are written after their answers
    return app_log.read_bytes()[start:].decode(errors="replace")


def test_a_canary_sent_under_refused_events_reaches_no_log_line(
    app: str, app_log: Path, world: World
) -> None:
    start = len(app_log.read_bytes())

    async def scenario() -> tuple[str, str, str | None]:
        anonymous = EventClient(app)
        await anonymous.connect()
        signed_in = await signed_in_tab(app, OPERATOR)
        try:
            await _send_all(app, anonymous)
            await _send_all(app, signed_in)
        finally:
            await anonymous.close()
            await signed_in.close()
        return anonymous.token, signed_in.token, signed_in.cookie

    anonymous_token, tab_token, cookie = run(scenario)
    logged = _new_log(app_log, start)

    assert logged.strip(), "the refusals were not logged at all"
    assert CANARY not in logged
    assert CANARY.lower() not in logged.lower()
    for secret in (anonymous_token, tab_token, cookie, hash_session_token(cookie or "")):
        assert secret and secret not in logged
    assert "Traceback" not in logged


def test_a_flood_of_large_anonymous_events_adds_a_bounded_log(
    app: str, app_log: Path, world: World
) -> None:
    start = len(app_log.read_bytes())
    frames, size = 40, 500_000

    async def scenario() -> None:
        tab = EventClient(app)
        await tab.connect()
        try:
            for n in range(frames):
                await tab.send(
                    "",
                    raw={
                        "name": f"gone.handler_{n}",
                        "payload": {"x": "y" * size},
                        "router_data": {"pathname": "/"},
                    },
                )
            await tab.probe(timeout=60)
        finally:
            await tab.close()

    run(scenario)
    logged = _new_log(app_log, start)
    lines = [line for line in logged.splitlines() if line.strip()]
    # Name, size and reason per refusal, at most a few per socket and minute.
    assert len(logged) < 10_000, len(logged)
    assert len(lines) <= 15, lines


def test_every_event_gets_one_structured_line_without_tokens(
    app: str, app_log: Path, world: World
) -> None:
    start = len(app_log.read_bytes())

    async def scenario() -> tuple[str, str | None]:
        tab = await signed_in_tab(app, OPERATOR)
        try:
            await tab.call(f"{SR}.open_dialog", path=f"/tenants/{world.tenants['Fabrikam'].id}")
        finally:
            await tab.close()
        return tab.token, tab.cookie

    token, cookie = run(scenario)
    logged = _new_log(app_log, start, settle=1.0)
    lines = [
        line for line in logged.splitlines() if "event=support_request_state.open_dialog" in line
    ]
    assert len(lines) == 1, logged[-2000:]
    assert "event_id=" in lines[0] and "duration_ms=" in lines[0] and "outcome=ok" in lines[0]
    for secret in (token, cookie, hash_session_token(cookie or "")):
        assert secret and secret not in logged
