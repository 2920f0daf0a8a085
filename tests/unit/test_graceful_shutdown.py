"""SIGTERM drains a worker: unready at once, sockets closed after the delay, events in
flight given their time, and only then Granian's own handler stops the worker."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from types import SimpleNamespace

import engineio
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from support_app import lifecycle
from support_app.reflex_patches import graceful_shutdown
from support_app.settings import get_settings
from support_app.web.health_routes import Readiness, health_routes
from support_app.web.socket_guard import EventSocketGuard


@pytest.fixture(autouse=True)
def serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts on a serving worker and fast drain settings."""
    monkeypatch.setattr(lifecycle, "_draining_since", None)
    monkeypatch.setattr(lifecycle, "_events_in_flight", 0)
    quick = dataclasses.replace(get_settings(), drain_delay_seconds=0.2, drain_seconds=1.0)
    monkeypatch.setattr(graceful_shutdown, "get_settings", lambda: quick)


class _Engine:
    """Engine.IO's server as far as the drain uses it."""

    def __init__(self, sids: list[str]) -> None:
        self.sockets = {sid: SimpleNamespace(queue=asyncio.Queue()) for sid in sids}
        self.closed: list[tuple[str, float]] = []

    async def disconnect(self, sid: str) -> None:
        self.closed.append((sid, time.monotonic()))
        self.sockets.pop(sid)


async def _sigterm_with(event_seconds: float) -> dict:
    """A worker with two sockets and one event in flight for ``event_seconds`` gets
    SIGTERM; when each step happened, relative to the signal."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)  # Granian's handler
    engine = _Engine(["a", "b"])
    app = SimpleNamespace(sio=SimpleNamespace(eio=engine))
    try:
        assert graceful_shutdown.take_over_sigterm(app)
        lifecycle.event_started()

        async def event() -> None:
            await asyncio.sleep(event_seconds)
            lifecycle.event_ended()

        running = asyncio.create_task(event())
        signalled = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        draining_at_once = lifecycle.draining()
        await asyncio.wait_for(stopped.wait(), 5)
        return {
            "draining_at_once": draining_at_once,
            "sockets_closed_after": [at - signalled for _, at in engine.closed],
            "event_done_at_stop": running.done(),
            "stopped_after": time.monotonic() - signalled,
        }
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def test_sigterm_drains_then_stops_the_worker_as_granian_would() -> None:
    steps = asyncio.run(_sigterm_with(event_seconds=0.6))
    assert steps["draining_at_once"]
    assert [round(after, 1) for after in steps["sockets_closed_after"]] == [0.2, 0.2]
    assert steps["event_done_at_stop"]  # the event in flight finished first
    assert 0.6 <= steps["stopped_after"] < 0.9


def test_an_event_that_outlasts_the_drain_is_left_to_granian() -> None:
    steps = asyncio.run(_sigterm_with(event_seconds=3.0))
    assert not steps["event_done_at_stop"]
    assert 1.2 <= steps["stopped_after"] < 1.5  # delay + drain bound, not the event's 3 s


def test_a_draining_worker_is_not_ready_and_takes_no_new_socket() -> None:
    async def ok() -> None:
        return None

    async def reflex(scope, receive, send) -> None:
        raise AssertionError("a draining worker must not hand a handshake to Reflex")

    guard = EventSocketGuard(
        reflex, allowed_origins=["http://app"], event_path="/_event", session_cookie="sa"
    )
    lifecycle.start_draining()
    with TestClient(health_routes(lambda: Readiness({"database": ok}))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "stopping"
    handshake = TestClient(guard).get("/_event/?EIO=4", headers={"Origin": "http://app"})
    assert handshake.status_code == 503


@pytest.mark.timeout(20)
def test_a_closed_socket_closes_its_websocket_so_the_browser_reconnects() -> None:
    """Engine.IO's own close only sends a CLOSE packet, which a browser on a WebSocket
    ignores (the tab stayed on the draining worker until it exited): the drain must
    end the WebSocket itself."""
    engine = engineio.AsyncServer(async_mode="asgi")
    app = SimpleNamespace(sio=SimpleNamespace(eio=engine))

    @engine.on("message")
    async def drain(_sid: str, _data: str) -> None:
        await graceful_shutdown.close_sockets(app)

    client = TestClient(engineio.ASGIApp(engine))
    upgrade = {"upgrade": "websocket", "connection": "Upgrade"}
    with client.websocket_connect("/engine.io/?EIO=4&transport=websocket", headers=upgrade) as ws:
        assert ws.receive_text().startswith("0")  # open
        ws.send_text("4drain")
        assert ws.receive_text() == "1"  # Engine.IO's CLOSE packet
        with pytest.raises(WebSocketDisconnect):  # and the connection closes (else: hangs)
            ws.receive_text()
    assert not engine.sockets
