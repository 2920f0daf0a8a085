"""A shared computer: two tabs of one browser, and a second user after the first.

The review's sequence (3 of 3 runs leaked on SQLite): the owner has the Adatum
dashboard with the support diagnostics open in one tab, signs out in a second tab,
and the read-only user signs in there. Reloading the first tab keeps its Reflex
client token (per tab) and now sends the read-only user's cookie: it must receive
nothing of the owner's, on SQLite (whose row ids are reissued) and PostgreSQL alike.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.e2e.conftest import screenshot, sign_in, signed_in
from tests.e2e.test_support_request import tenant_id

OWNER_ONLY = ("Adatum", "owner@contoso.example", "Olivia Owner", "Quarterly security review")


def test_a_tab_left_open_shows_the_next_user_nothing_of_the_previous_one(
    page: Page, app_db_session: Session
) -> None:
    adatum = tenant_id(app_db_session, "Adatum")
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{adatum}")
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Open support diagnostics").click()
    expect(page.get_by_test_id("diagnostics-bundle")).to_contain_text("Adatum")

    other_tab = page.context.new_page()
    other_tab.goto("/")
    expect(other_tab.get_by_test_id("tenant-card").first).to_be_visible()
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab).to_have_url(re.compile(r"/login/?$"))
    sign_in(other_tab, "readonly@contoso.example")
    expect(other_tab.get_by_test_id("tenant-card")).to_have_count(1)

    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")),
    )
    page.reload()
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_test_id("diagnostics-bundle")).to_have_count(0)
    screenshot(page, "shared-browser-old-tab-after-next-sign-in")
    assert frames, "the reloaded tab received nothing at all"
    leaked = {marker for marker in OWNER_ONLY for frame in frames if marker in frame}
    assert leaked == set()
    assert "Olivia Owner" not in page.content()
    other_tab.close()
