"""Drills an operator lives through, in Chromium, on the scaled shape: PostgreSQL and
Redis of the lane's own, two backend workers, the desk emulator.

Per drill: what the screen says and how fast, what the database holds afterwards
(request and audit rows together, no duplicate, nothing left pending), and that the
next action works without a reload. Each drill restores what it broke.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.resilience.conftest import PrivatePostgres, PrivateRedis
from tests.resilience.operator_screen import (
    REFERENCE,
    OperatorApp,
    app_cpu_seconds,
    desk_fault,
    open_dialog,
    open_dialog_on_tenant,
    request_support,
    screenshot,
    sign_in,
    stored,
    tenant_id,
)

# Submits while PostgreSQL stays frozen: more than the threads a worker shares
# (asyncio's default pool: cores + 4, so 6 on a 2-core machine).
FROZEN_RESUBMITS = 8


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_a_page_with_postgresql_down_says_so_and_recovers_by_itself(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres, fault: str
) -> None:
    """Stopped: refused at once. Frozen: nothing answers, so the page's reads give up
    at the read bound, well before the tab's state lock expires."""
    sign_in(page)
    down, back = {
        "stopped": (private_postgres.stop, private_postgres.start),
        "frozen": (private_postgres.freeze, private_postgres.thaw),
    }[fault]
    down()
    try:
        started = time.monotonic()
        page.goto("/")
        expect(page.get_by_test_id("page-load-failed")).to_be_visible(timeout=15_000)
        shown_after = time.monotonic() - started
        expect(page.get_by_text("You are not entitled to any tenant yet")).to_have_count(0)
        screenshot(page, f"resilience-page-load-failed-{fault}")
        # Frozen: the session read (5 s bound), then the page's read (1 s once the
        # database is known not to answer): below the 10 s state-lock expiry.
        assert shown_after < 9, shown_after
    finally:
        back()
    restarted = time.monotonic()
    expect(page.get_by_test_id("tenant-card").first).to_be_visible(timeout=45_000)
    print(
        f"\npage, PostgreSQL {fault}: error shown {shown_after:.1f} s after navigation;"
        f" recovered without reload {time.monotonic() - restarted:.1f} s after it was back"
    )


def test_submit_with_postgresql_stopped_keeps_the_text_and_stores_once_after(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    database = operator_app.database
    summary = f"Backups fail while the database is down {time.monotonic_ns()}"
    open_dialog_on_tenant(page, operator_app, "Fabrikam", summary)
    dialog = page.get_by_role("dialog")
    private_postgres.stop()
    try:
        started = time.monotonic()
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_text("nothing was stored")).to_be_visible(timeout=15_000)
        answered_after = time.monotonic() - started
        expect(dialog.get_by_label("Summary")).to_have_value(summary)
        expect(dialog.get_by_role("button", name="Submit request")).to_be_enabled()
        screenshot(page, "resilience-submit-not-stored")
    finally:
        private_postgres.start()
    assert stored(database, summary) == []
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=30_000)
    rows = stored(database, summary)
    assert [actions for _, actions in rows] == [["support_request.created"]]
    print(
        f"\nsubmit, PostgreSQL stopped: 'nothing was stored' after {answered_after:.1f} s; "
        "stored once on the next click, no reload"
    )


def test_a_submit_while_postgresql_is_frozen_answers_within_the_bound_and_stores_once(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    """The review: no feedback for the whole freeze, then a lock error and a Submit
    button stuck on "Submitting…" until a full reload. Now: at once "Submitting…",
    after 3 s "taking longer than usual", at the read bound (5 s) "nothing was
    stored" with the text kept, and the next click after the thaw stores it once."""
    database = operator_app.database
    summary = f"Restore hangs while the database is frozen {time.monotonic_ns()}"
    open_dialog_on_tenant(page, operator_app, "Fabrikam", summary)
    dialog = page.get_by_role("dialog")
    private_postgres.freeze()
    try:
        started = time.monotonic()
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_role("button", name="Submitting…")).to_be_visible(timeout=2_000)
        feedback_after = time.monotonic() - started
        expect(dialog.get_by_test_id("submit-slow")).to_be_visible(timeout=4_500)
        slow_after = time.monotonic() - started
        screenshot(page, "resilience-submit-frozen-database")
        expect(dialog.get_by_text("nothing was stored")).to_be_visible(timeout=10_000)
        answered_after = time.monotonic() - started
        assert answered_after < 9, answered_after  # the read bound, not the thaw
        expect(dialog.get_by_test_id("submit-slow")).to_have_count(0)
        expect(dialog.get_by_label("Summary")).to_have_value(summary)
        # The review, 60 s into a freeze: the next Submit's first reaction came after
        # 5.6 s. Each read cut off at its bound leaves a thread waiting for the thaw;
        # they used to be the threads the dialog's redaction preview needs too, and
        # the preview holds the tab's state lock, which Submit's first reaction waits
        # for. So: edit and submit again, as an operator would, until more reads are
        # stuck than a worker has threads; each Submit must still answer at once.
        reactions = []
        for attempt in range(FROZEN_RESUBMITS):
            summary = f"{summary} {attempt}"
            dialog.get_by_label("Summary").fill(summary)  # a preview of what is stored
            time.sleep(0.5)  # the browser's debounce: the preview event is sent
            clicked = time.monotonic()
            dialog.get_by_role("button", name="Submit request").click()
            expect(dialog.get_by_role("button", name="Submitting…")).to_be_visible(timeout=5_000)
            reactions.append(time.monotonic() - clicked)
            # This attempt's own answer: the button is back. The previous attempt's
            # "nothing was stored" stays on screen until the server takes this one, so
            # it alone says nothing; a Submit still waiting when the database thaws
            # would rightly store.
            expect(dialog.get_by_role("button", name="Submit request")).to_be_visible(
                timeout=10_000
            )
            expect(dialog.get_by_text("nothing was stored")).to_be_visible()
        assert max(reactions) < 1.0, reactions
        time.sleep(max(0.0, 10 - (time.monotonic() - started)))
    finally:
        private_postgres.thaw()
    assert stored(database, summary) == []
    thawed = time.monotonic()
    dialog.get_by_role("button", name="Submit request").click()  # no reload needed
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=30_000)
    stored_after = time.monotonic() - thawed
    assert [actions for _, actions in stored(database, summary)] == [["support_request.created"]]
    dialog.get_by_role("button", name="Done").click()  # nothing is left stuck
    expect(page.get_by_role("dialog")).to_have_count(0)
    print(
        f"\nsubmit, PostgreSQL frozen 10 s: 'Submitting…' after {feedback_after:.1f} s,"
        f" 'taking longer than usual' after {slow_after:.1f} s, 'nothing was stored' after"
        f" {answered_after:.1f} s (text kept); {FROZEN_RESUBMITS} more Submits answered"
        f" after at most {max(reactions):.1f} s; after the thaw stored once in"
        f" {stored_after:.1f} s"
    )


def test_the_desk_failing_while_postgresql_restarts_shows_the_reference_and_records_it(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    desk, database = operator_app.desk, operator_app.database
    summary = f"Inventory sync throttled during a restart {time.monotonic_ns()}"
    open_dialog_on_tenant(page, operator_app, "Northwind", summary)
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Create a new ticket in the external support desk").click()
    desk_fault(desk, "hang")  # the desk never answers: cut at the 5 s deadline
    try:
        dialog.get_by_role("button", name="Submit request").click()
        deadline = time.monotonic() + 10
        while not stored(database, summary):  # the request is committed first
            assert time.monotonic() < deadline, "the request was not stored"
            time.sleep(0.1)
        private_postgres.stop()  # ...then the database goes while the desk hangs
        try:
            reference = dialog.get_by_test_id("support-reference")
            expect(reference).to_have_text(REFERENCE, timeout=20_000)
            expect(dialog.get_by_test_id("outcome-not-recorded")).to_be_visible()
            screenshot(page, "resilience-outcome-not-recorded")
            time.sleep(2)
        finally:
            private_postgres.start()
    finally:
        desk_fault(desk, "none")
    restarted = time.monotonic()
    while True:
        rows = stored(database, summary)
        row, actions = rows[0]
        if row.external_handoff_failure_kind is not None:
            break
        assert time.monotonic() - restarted < 60, "the known outcome was never recorded"
        time.sleep(0.5)
    recorded_after = time.monotonic() - restarted
    assert len(rows) == 1 and row.reference == reference.inner_text()
    assert row.external_handoff_failure_kind == "timeout"  # the real outcome, not "unknown"
    assert actions == ["support_request.created", "support_request.external_handoff_failed"]
    # The next action works without a reload.
    dialog.get_by_role("button", name="New request").click()
    expect(dialog.get_by_label("Summary")).to_be_visible()
    print(
        f"\ndesk timeout while PostgreSQL restarts: reference shown, outcome recorded "
        f"{recorded_after:.1f} s after the restart"
    )


def test_clicks_through_a_redis_outage_cost_about_an_idle_tab_and_recover(
    page: Page, operator_app: OperatorApp, private_redis: PrivateRedis
) -> None:
    """The review: one click during a Redis outage cost 0.7 of a core and 4,114 log
    lines in 10 s (the error answer was itself a server event that needed Redis).
    Compared here with the same tab idle through the same outage, so Reflex's own
    one-off reports of its lost subscriptions count for neither."""
    sign_in(page)
    page.goto(f"/tenants/{tenant_id(operator_app.database, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    private_redis.stop()
    try:
        time.sleep(12)  # the outage begins: the workers notice and report it
        idle_start, idle_lines = app_cpu_seconds(operator_app.url), operator_app.log_lines()
        time.sleep(10)
        idle = app_cpu_seconds(operator_app.url) - idle_start
        idle_logged = operator_app.log_lines() - idle_lines

        clicks_start, clicks_lines = app_cpu_seconds(operator_app.url), operator_app.log_lines()
        started = time.monotonic()
        request_support(page)
        expect(page.get_by_text("temporarily unavailable").first).to_be_visible(timeout=10_000)
        answered_after = time.monotonic() - started
        screenshot(page, "resilience-redis-down-click")
        for _ in range(4):  # five clicks in ten seconds, as the review did
            time.sleep(2)
            page.keyboard.press("Escape")
            request_support(page)
        time.sleep(max(0.0, 10 - (time.monotonic() - started)))
        clicks = app_cpu_seconds(operator_app.url) - clicks_start
        new_lines = operator_app.log.read_bytes().splitlines()[clicks_lines:]
    finally:
        private_redis.start()
    print(
        f"\nRedis stopped: the click is answered in {answered_after:.1f} s; 10 s with 5 clicks"
        f" cost {clicks:.2f} s CPU and {len(new_lines)} log lines; 10 s idle through the same"
        f" outage {idle:.2f} s and {idle_logged} lines"
    )
    assert clicks <= idle + 1.0, (idle, clicks)
    # One event-log line per click, and the outage reported once.
    assert len(new_lines) <= idle_logged + 12, b"\n".join(new_lines)[-3000:]
    assert not [line for line in new_lines if b"malformed" in line]  # not blamed on the client
    # Once Redis is back, the next click works without a reload, and the request can
    # be completed. Redis came back without its data, so this click is the first event
    # of a fresh state: Reflex resends the state and runs the page's load right after
    # it, which used to close the dialog the click had opened (it flashed up and
    # vanished, and a retry loop here hid it: the drill failed at random), while the
    # outage's toast stayed over the dialog's Submit.
    restarted = time.monotonic()
    page.keyboard.press("Escape")
    open_dialog(page)
    opened_after = time.monotonic() - restarted
    expect(page.get_by_text("temporarily unavailable")).to_have_count(0)
    time.sleep(1)  # the page load Reflex runs after the lost state is over by now
    dialog = page.get_by_role("dialog")
    summary = f"Sync fails after the state store came back {time.monotonic_ns()}"
    dialog.get_by_label("Summary").fill(summary)
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE, timeout=15_000)
    screenshot(page, "resilience-redis-back-request-stored")
    assert [a for _, a in stored(operator_app.database, summary)] == [["support_request.created"]]
    print(
        f"Redis back: one click opens the dialog in {opened_after:.1f} s and it stays open;"
        f" the request is stored {time.monotonic() - restarted:.1f} s after Redis was back,"
        " no reload"
    )
