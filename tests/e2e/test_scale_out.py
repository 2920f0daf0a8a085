"""Scale-out: one tab's events served by different backend workers (scaled lane only).

A browser tab keeps one event socket, so all its events go to the worker that
accepted that socket. This test opens the dialog on one worker, then drops the
socket (Playwright's WebSocket route) until the tab reconnects to another worker,
and requests support there: the session and page state the first worker left in
Redis must carry over, and the request must be stored exactly once.

A reconnect rehydrates the page like a load (Reflex runs the page's on_load again),
so the dialog opened on the first worker closes and is opened again on the second.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlmodel import Session

from tests.e2e.conftest import WORKERS, signed_in
from tests.e2e.test_support_request import open_request_dialog, stored, submit_request, tenant_id

pytestmark = pytest.mark.multi_worker
RECONNECT_ATTEMPTS = 12


def _events(trace: Path, token: str) -> list[dict]:
    lines = trace.read_text().splitlines() if trace.exists() else []
    return [e for e in map(json.loads, lines) if e["token"] == token]


def _pids(events: list[dict], handler: str) -> list[int]:
    """The worker of each call of ``SupportRequestState.<handler>``, in order."""
    return [e["pid"] for e in events if e["event"].endswith(f"_support_request_state.{handler}")]


def _wait_for_event(page: Page, trace: Path, token: str, after: int, timeout: float = 15) -> dict:
    """The first event of ``token`` beyond the first ``after`` ones."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = _events(trace, token)
        if len(events) > after:
            return events[after]
        page.wait_for_timeout(100)  # not time.sleep: the WebSocket route runs meanwhile
    raise AssertionError(f"no event of tab {token} after #{after} within {timeout} s")


def test_a_tab_whose_events_hop_between_workers_submits_once(
    page: Page, app_db_session: Session, event_trace: Path
) -> None:
    assert WORKERS >= 2
    sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def relay(ws: WebSocketRoute) -> None:
        sockets.append((ws, ws.connect_to_server()))

    page.route_web_socket(re.compile(r"/_event"), relay)
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    token = page.evaluate("window.sessionStorage.getItem('token')")
    opened = [
        e
        for e in _events(event_trace, token)
        if e["event"].endswith("_support_request_state.open_dialog")
    ]
    assert opened, "the dialog was opened through an event of this tab"
    first_pid = opened[-1]["pid"]

    pid = first_pid
    for _ in range(RECONNECT_ATTEMPTS):
        seen = len(_events(event_trace, token))
        page_side, server_side = sockets[-1]
        server_side.close()
        page_side.close()
        pid = _wait_for_event(page, event_trace, token, seen)["pid"]  # the rehydration
        if pid != first_pid:
            break
    assert pid != first_pid, f"the tab never reconnected to another of {WORKERS} workers"

    expect(page.get_by_role("dialog")).to_be_hidden()  # the reconnect reloaded the page
    open_request_dialog(page)
    reference = submit_request(page, "Submitted through a second worker")
    served = _events(event_trace, token)
    submits = [e["pid"] for e in served if e["event"].endswith("_support_request_state.submit")]
    assert submits == [pid]
    assert [
        e["pid"] for e in served if e["event"].endswith("_support_request_state.open_dialog")
    ] == [first_pid, pid]
    row = stored(app_db_session, reference)
    assert row.summary == "Submitted through a second worker"
    assert row.attachment_mode == "diagnostic_snapshot"
