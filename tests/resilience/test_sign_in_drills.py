"""Sign-in and sign-out with PostgreSQL stopped, in Chromium: both fail safe.

The review: sign-out answered a bare "Internal Server Error" and kept the cookie (the
session stayed valid once the database was back); sign-in a text/plain 500 page
with a ~130-line traceback. The HTTP drill in test_drills pins the status codes and
the server-side end of the session; this one is what the operator sees.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from support_app.services.demo_seed import DEMO_PASSWORD
from tests.resilience.conftest import PrivatePostgres
from tests.resilience.operator_screen import OPERATOR, OperatorApp, screenshot, sign_in


def _session_cookies(page: Page) -> list[str]:
    return [c["name"] for c in page.context.cookies() if "sa_session" in c["name"]]


def test_sign_out_and_sign_in_with_postgresql_stopped_in_the_browser(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    sign_in(page)
    assert _session_cookies(page)
    private_postgres.stop()
    try:
        started = time.monotonic()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You are signed out in this browser")).to_be_visible(timeout=10_000)
        signed_out_after = time.monotonic() - started
        assert _session_cookies(page) == []  # fail closed: the cookie is gone at once
        screenshot(page, "resilience-sign-out-database-down")

        page.goto("/login")
        page.get_by_label("E-mail address").fill(OPERATOR)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        started = time.monotonic()
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Temporarily unavailable").first).to_be_visible(timeout=10_000)
        refused_after = time.monotonic() - started
        expect(page.get_by_label("E-mail address")).to_have_value(OPERATOR)  # kept
        expect(page.get_by_text("Traceback")).to_have_count(0)
        screenshot(page, "resilience-sign-in-database-down")
    finally:
        private_postgres.start()
    restarted = time.monotonic()
    while True:  # the same form signs in once the database is back
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        try:
            expect(page.get_by_test_id("tenant-card").first).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            assert time.monotonic() - restarted < 60, "sign-in never worked again"
    print(
        f"\nPostgreSQL stopped: signed out (cookie gone) in {signed_out_after:.1f} s; sign-in"
        f" refused with the branded page in {refused_after:.1f} s, e-mail kept; signed in"
        f" {time.monotonic() - restarted:.1f} s after the restart"
    )
