"""A backend worker killed (SIGKILL) mid-submit, in Chromium, on the scaled shape.

The tab reconnects to a live worker and is told what became of its request: stored
(its reference, and the desk handoff recorded as interrupted) or not sent (the text
still in the dialog, and the next click stores it once). Granian brings the worker
back by itself.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.resilience.conftest import RESILIENCE_WORKERS, PrivatePostgres
from tests.resilience.operator_screen import (
    REFERENCE,
    OperatorApp,
    desk_fault,
    open_dialog_on_tenant,
    screenshot,
    stored,
)

_STARTED = re.compile(rb"pid=(\d+) .*support request submit started: (SR-\w+)")


def _submitting_worker(app: OperatorApp, log_lines_before: int) -> tuple[int, str]:
    """The worker that logged the start of the tab's submit, and its reference."""
    deadline = time.monotonic() + 10
    while True:
        for line in app.log.read_bytes().splitlines()[log_lines_before:]:
            if found := _STARTED.search(line):
                return int(found.group(1)), found.group(2).decode()
        assert time.monotonic() < deadline, "no worker logged the submit"
        time.sleep(0.05)


# Granian exits altogether when a worker dies again within 5.5 s of its respawn (a
# crash loop): each drill starts with workers older than that.
_CRASH_LOOP_WINDOW_S = 5.5


def _age(pid: int) -> float:
    ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - ticks / os.sysconf("SC_CLK_TCK")


def _workers_past_the_crash_loop_window(app: OperatorApp) -> None:
    deadline = time.monotonic() + 60
    while True:
        workers = app.workers()
        if len(workers) == RESILIENCE_WORKERS and all(
            _age(pid) > _CRASH_LOOP_WINDOW_S + 1 for pid in workers
        ):
            return
        assert time.monotonic() < deadline, f"workers not settled: {workers}"
        time.sleep(0.2)


def _kill(app: OperatorApp, pid: int) -> float:
    assert pid in app.workers()
    os.kill(pid, signal.SIGKILL)
    return time.monotonic()


def _wait_for_respawn(app: OperatorApp, killed: int, since: float) -> float:
    """Granian replaces the worker: seconds from the kill until it is back."""
    while True:
        workers = app.workers()
        if len(workers) == RESILIENCE_WORKERS and killed not in workers:
            return time.monotonic() - since
        assert time.monotonic() - since < 60, f"worker not respawned: {workers}"
        time.sleep(0.2)


def test_a_worker_killed_during_the_desk_call_shows_the_stored_reference(
    page: Page, operator_app: OperatorApp
) -> None:
    """The request is committed before the desk call; the worker dies in the call."""
    app = operator_app
    _workers_past_the_crash_loop_window(app)
    summary = f"Sync stalls when the worker dies {time.monotonic_ns()}"
    open_dialog_on_tenant(page, app, "Northwind", summary)
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Create a new ticket in the external support desk").click()
    desk_fault(app.desk, "hang")
    try:
        before = app.log_lines()
        dialog.get_by_role("button", name="Submit request").click()
        pid, reference = _submitting_worker(app, before)
        deadline = time.monotonic() + 10
        while not stored(app.database, summary):  # committed, now in the desk call
            assert time.monotonic() < deadline, "the request was not stored"
            time.sleep(0.05)
        killed = _kill(app, pid)
        expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=20_000)
        shown_after = time.monotonic() - killed
        expect(dialog.get_by_test_id("failure-summary")).to_contain_text(
            "The app stopped before the desk answered"
        )
        screenshot(page, "resilience-worker-killed-stored")
    finally:
        desk_fault(app.desk, "none")
    assert dialog.get_by_test_id("support-reference").inner_text() == reference
    rows = stored(app.database, summary)
    assert len(rows) == 1
    row, actions = rows[0]
    assert row.reference == reference and row.external_handoff_failure_kind == "app_stopped"
    assert actions == ["support_request.created", "support_request.external_handoff_failed"]
    respawned = _wait_for_respawn(app, pid, killed)
    dialog.get_by_role("button", name="New request").click()  # the next action works
    expect(dialog.get_by_label("Summary")).to_have_value("")
    print(
        f"\nworker killed in the desk call: reference and 'app stopped' shown {shown_after:.1f} s"
        f" after the kill, no reload; worker respawned in {respawned:.1f} s"
    )


def test_a_worker_killed_before_the_commit_says_not_sent_and_keeps_the_text(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    """The worker dies while the database holds up the submit: nothing was stored."""
    app = operator_app
    _workers_past_the_crash_loop_window(app)
    summary = f"Reports empty when the worker dies early {time.monotonic_ns()}"
    open_dialog_on_tenant(page, app, "Fabrikam", summary)
    dialog = page.get_by_role("dialog")
    private_postgres.freeze()  # the submit waits on the database ...
    try:
        before = app.log_lines()
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_role("button", name="Submitting…")).to_be_visible(timeout=2_000)
        pid, _ = _submitting_worker(app, before)
        killed = _kill(app, pid)  # ... and its worker dies
        time.sleep(2)
    finally:
        private_postgres.thaw()
    expect(dialog.get_by_text("Your request was not sent")).to_be_visible(timeout=30_000)
    shown_after = time.monotonic() - killed
    expect(dialog.get_by_label("Summary")).to_have_value(summary)
    screenshot(page, "resilience-worker-killed-not-sent")
    assert stored(app.database, summary) == []
    respawned = _wait_for_respawn(app, pid, killed)
    dialog.get_by_role("button", name="Submit request").click()  # the text, sent again
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=30_000)
    assert [actions for _, actions in stored(app.database, summary)] == [
        ["support_request.created"]
    ]
    print(
        f"\nworker killed before the commit: 'not sent' shown {shown_after:.1f} s after the"
        f" kill (database frozen 2 s of it), text kept, stored once on the next click;"
        f" worker respawned in {respawned:.1f} s"
    )


_OPENED = re.compile(rb"pid=(\d+) .*event=support_request_state\.open_dialog .*outcome=ok")


def test_a_worker_killed_while_the_operator_types_keeps_the_dialog_and_its_text(
    page: Page, operator_app: OperatorApp
) -> None:
    """No submit yet: the reconnect must not close the dialog (Reflex reruns the
    page's load handlers on every reconnect) nor empty it."""
    app = operator_app
    _workers_past_the_crash_loop_window(app)
    summary = f"Alerts missing after the worker died {time.monotonic_ns()}"
    before = app.log_lines()
    open_dialog_on_tenant(page, app, "Fabrikam", summary)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reproduction notes (optional)").fill("Steps: open the alert rules")
    opened = [
        int(found.group(1))
        for line in app.log.read_bytes().splitlines()[before:]
        if (found := _OPENED.search(line))
    ]
    assert opened, "no worker logged the dialog's opening"
    killed = _kill(app, opened[-1])  # the worker holding the tab's socket
    expect(page.get_by_test_id("connection-lost")).to_have_count(0, timeout=20_000)
    time.sleep(2)  # the reconnect's page load has run by now
    expect(dialog.get_by_label("Summary")).to_have_value(summary)
    expect(dialog.get_by_label("Reproduction notes (optional)")).to_have_value(
        "Steps: open the alert rules"
    )
    screenshot(page, "resilience-worker-killed-typing")
    respawned = _wait_for_respawn(app, opened[-1], killed)
    started = time.monotonic()
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=30_000)
    assert [actions for _, actions in stored(app.database, summary)] == [
        ["support_request.created"]
    ]
    print(
        f"\nworker killed while typing: dialog and text kept through the reconnect;"
        f" stored once {time.monotonic() - started:.1f} s after the click;"
        f" worker respawned in {respawned:.1f} s"
    )
