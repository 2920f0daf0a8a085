"""Scale-out: one tab's events served by different backend workers (scaled lane only).

A browser tab keeps one event socket, so all its events go to the worker that
accepted that socket. The test opens the dialog and types, then drops the tab's socket
(Playwright's WebSocket route) until the tab reconnects to another worker, and
requests support there: the session and page state the first worker left in Redis
must carry over, and the request must be stored exactly once. The workers share one
listening socket, and the kernel hands each new connection to the worker parked
waiting for it, on an idle machine the same one every time; other traffic meanwhile
(as in production) lets the reconnection land elsewhere, within a few attempts.
(Pausing the first worker does not work: the kernel still hands it the connection.)

A reconnect rehydrates the page like a load (Reflex runs the page's on_load again);
the dialog opened and typed in on the first worker stays open with its text, and is
submitted through the second.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from sqlmodel import Session

from tests.e2e.conftest import WORKERS, checked_page, signed_in
from tests.e2e.test_support_request import REFERENCE, open_request_dialog, stored, tenant_id

pytestmark = pytest.mark.multi_worker
RECONNECT_ATTEMPTS = 40
RECONNECT_WAIT_S = 5


def _events(trace: Path, token: str) -> list[dict]:
    lines = trace.read_text().splitlines() if trace.exists() else []
    return [e for e in map(json.loads, lines) if e["token"] == token]


def _pids(events: list[dict], handler: str) -> list[int]:
    """The worker of each call of ``SupportRequestState.<handler>``, in order."""
    return [e["pid"] for e in events if e["event"].endswith(f"_support_request_state.{handler}")]


@contextlib.contextmanager
def _other_traffic(app_url: str, threads: int = 4) -> Iterator[None]:
    """Plain HTTP requests on fresh connections from several threads meanwhile.

    The workers share one listening socket and the kernel hands a new connection to
    the worker parked waiting for it, which is the same idle worker again and again;
    keeping the workers busy with other connections lets the tab's reconnection land
    on whichever is free, as under real traffic.
    """
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{app_url}/ping", timeout=2, trust_env=False)

    pool = [threading.Thread(target=hammer, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in pool:
            thread.join()


def _next_event(page: Page, trace: Path, token: str, after: int, timeout: float) -> dict | None:
    """The first event of ``token`` beyond the first ``after`` ones, if one comes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = _events(trace, token)
        if len(events) > after:
            return events[after]
        page.wait_for_timeout(100)  # not time.sleep: the WebSocket route runs meanwhile
    return None


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    # This test closes the tab's socket on purpose; a send racing the close is logged.
    with checked_page(
        browser, app_url, ("WebSocket is already in CLOSING or CLOSED state.",)
    ) as pg:
        yield pg


def test_a_tab_whose_events_hop_between_workers_submits_once(
    page: Page, app_url: str, app_db_session: Session, event_trace: Path
) -> None:
    assert WORKERS >= 2
    sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def relay(ws: WebSocketRoute) -> None:
        sockets.append((ws, ws.connect_to_server()))

    page.route_web_socket(re.compile(r"/_event"), relay)
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    summary = "Submitted through a second worker"
    page.get_by_role("dialog").get_by_label("Summary").fill(summary)
    token = page.evaluate("window.sessionStorage.getItem('token')")
    opened = _pids(_events(event_trace, token), "open_dialog")
    assert opened, "the dialog was opened through an event of this tab"
    first_pid = opened[-1]

    pid, attempts = first_pid, 0
    with _other_traffic(app_url):
        while pid == first_pid and attempts < RECONNECT_ATTEMPTS:
            attempts += 1
            seen = len(_events(event_trace, token))
            for page_side, server_side in sockets:  # the live one among them (a page load
                server_side.close()  # may also have opened and dropped a warm-up socket)
                page_side.close()
            # The rehydration after the reconnect; a reconnection that does not come
            # through in time is dropped again by the next attempt.
            rehydrated = _next_event(page, event_trace, token, seen, RECONNECT_WAIT_S)
            pid = rehydrated["pid"] if rehydrated else pid
    print(f"reconnected to another worker after {attempts} attempt(s)")
    assert pid != first_pid, f"{RECONNECT_ATTEMPTS} reconnects, none to another worker"

    # The reconnect reran the page's load, which keeps the dialog the operator is
    # using (and its text): submitting goes on through the other worker.
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Summary")).to_have_value(summary)
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE)
    reference = dialog.get_by_test_id("support-reference").inner_text()
    served = _events(event_trace, token)
    assert _pids(served, "submit") == [pid]
    assert _pids(served, "open_dialog") == [first_pid]
    row = stored(app_db_session, reference)
    assert row.summary == summary
    assert row.attachment_mode == "diagnostic_snapshot"
