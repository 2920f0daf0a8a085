"""Platform pages as a user sees them: sign-in, tenant list, dashboard, run viewer."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from support_app.models import OperationRun, Tenant
from tests.e2e.conftest import screenshot, sign_in, signed_in, states_on_disk


def _ids(app_db_session: Session) -> tuple[dict[str, int], dict[str, int]]:
    tenants = {t.name: t.id for t in app_db_session.exec(select(Tenant))}
    failed = {
        name: app_db_session.exec(
            select(OperationRun.id).where(
                OperationRun.tenant_id == tid, OperationRun.outcome == "failed"
            )
        ).first()
        for name, tid in tenants.items()
    }
    return tenants, failed


def test_wrong_password_shows_one_error(page: Page) -> None:
    sign_in(page, "operator@contoso.example", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The e-mail address or password is not correct.")
    screenshot(page, "login-error")
    sign_in(page, "nobody@contoso.example", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The e-mail address or password is not correct.")


def test_operator_sees_entitled_tenants_dashboard_and_failed_run(
    page: Page, app_db_session: Session
) -> None:
    tenants, failed = _ids(app_db_session)
    sign_in(page, "operator@contoso.example")
    cards = page.get_by_test_id("tenant-card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Fabrikam")).to_have_count(1)
    expect(cards.filter(has_text="Northwind")).to_have_count(1)
    expect(page.get_by_text("Adatum")).to_have_count(0)
    screenshot(page, "home-operator")

    cards.filter(has_text="Fabrikam").click()
    expect(page).to_have_url(re.compile(rf"/tenants/{tenants['Fabrikam']}$"))
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    expect(page.get_by_text("Provider connections")).to_be_visible()
    expect(page.get_by_text("Degraded")).to_be_visible()
    screenshot(page, "tenant-dashboard")

    page.goto(f"/operations/{failed['Fabrikam']}")
    expect(page.get_by_text("Failure summary")).to_be_visible()
    expect(page.get_by_role("link", name="Fabrikam")).to_be_visible()
    expect(page.get_by_text("[redacted]").first).to_be_visible()
    screenshot(page, "operation-run-failed")


def test_out_of_scope_urls_show_not_found(page: Page, app_db_session: Session) -> None:
    tenants, failed = _ids(app_db_session)
    sign_in(page, "operator@contoso.example")
    expect(page.get_by_test_id("tenant-card")).to_have_count(2)
    for url in (
        f"/tenants/{tenants['Adatum']}",
        f"/operations/{failed['Tailspin']}",
        "/tenants/999999",
        "/operations/not-a-number",
    ):
        page.goto(url)
        expect(page.get_by_test_id("not-found")).to_be_visible()
        expect(page.get_by_text("Adatum")).to_have_count(0)
    screenshot(page, "not-found")


def test_switching_to_german_changes_the_copy(page: Page, browser: Browser, app_url: str) -> None:
    sign_in(page, "readonly@contoso.example")
    expect(page.get_by_role("heading", name="Your tenants")).to_be_visible()
    page.get_by_role("combobox", name="Language").click()
    page.get_by_role("option", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Ihre Mandanten")).to_be_visible()
    screenshot(page, "home-german")
    page.reload()
    expect(page.get_by_role("heading", name="Ihre Mandanten")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    # The choice is stored on the user: a new browser (no cookies, no Reflex state)
    # signs in with the English form and is switched to German by the preference.
    fresh = browser.new_context(base_url=app_url)
    try:
        other = fresh.new_page()
        sign_in(other, "readonly@contoso.example")
        expect(other.get_by_role("heading", name="Ihre Mandanten")).to_be_visible()
        # Back to English, so the stored preference does not leak into other tests.
        other.get_by_role("combobox", name="Sprache").click()
        other.get_by_role("option", name="English").click()
        expect(other.get_by_role("heading", name="Your tenants")).to_be_visible()
    finally:
        fresh.close()


def test_signed_out_visitor_is_sent_to_login(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_the_session_cookie_is_httponly_and_no_state_reaches_the_disk(page: Page) -> None:
    signed_in(page, "operator@contoso.example")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sa_session"]["httpOnly"] is True
    assert cookies["sa_session"]["sameSite"] == "Lax"
    assert cookies["sa_session"]["path"] == "/"
    assert "sa_session" not in page.evaluate("document.cookie")
    # The state manager is pinned to memory: nothing is pickled into .states/.
    assert states_on_disk() == []


def test_sign_out_everywhere_ends_the_other_browsers_session(
    page: Page, browser: Browser, app_url: str
) -> None:
    other_context = browser.new_context(base_url=app_url)
    try:
        other = other_context.new_page()
        signed_in(other, "operator@contoso.example")
        signed_in(page, "operator@contoso.example")
        page.get_by_role("button", name="Oscar Operator").click()
        page.get_by_role("menuitem", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/login/?$"))
        assert "sa_session" not in {c["name"] for c in page.context.cookies()}
        other.reload()
        expect(other).to_have_url(re.compile(r"/login$"))
    finally:
        other_context.close()


def test_the_next_user_in_the_same_tab_receives_none_of_the_previous_users_data(
    page: Page, app_db_session: Session
) -> None:
    """Sign-out and sign-in reload the tab with the same Reflex client token; the
    states it keeps on the server must be reset before anything is sent to it."""
    tenants, _ = _ids(app_db_session)
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")),
    )
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{tenants['Adatum']}")
    expect(page.get_by_role("heading", name="Adatum")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))

    frames.clear()
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenants['Adatum']}")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    assert frames and not [f for f in frames if "Adatum" in f]
