"""Platform pages as a user sees them: sign-in, tenant list, dashboard, run viewer."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from support_app.models import OperationRun, Tenant
from support_app.services.demo_seed import PLANTED_SECRETS
from tests.e2e.conftest import screenshot, sign_in


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
    expect(page.get_by_text("[redacted:").first).to_be_visible()
    rendered = page.content()
    for secret in PLANTED_SECRETS:
        assert secret not in rendered
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
    expect(page).to_have_url(re.compile(r"/login$"))
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
