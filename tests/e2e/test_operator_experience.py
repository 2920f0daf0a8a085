"""What operators see and rely on: the dialog in German end to end, the dialog with
no desk configured, the configurable product name, and support diagnostics from the
run viewer. Screenshots of each dialog state land in test-artifacts/screenshots."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from support_app.i18n import translate
from support_app.models import User
from support_app.services.demo_seed import PLANTED_SECRETS
from tests.e2e.conftest import OTHER_PRODUCT_NAME, screenshot, set_desk_fault, signed_in
from tests.e2e.test_support_request import (
    REFERENCE,
    failed_run_id,
    open_request_dialog,
    stored,
    tenant_id,
)

LINK_SCOPE = "only — links a ticket that already exists; the desk is not changed"


def _switch_to_german(page: Page) -> None:
    page.get_by_role("combobox", name="Language").click()
    page.get_by_role("option", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Ihre Mandanten")).to_be_visible()


def _prefer_english(session: Session, email: str) -> None:
    """Undo the stored language choice so it does not leak into other tests."""
    user = session.exec(select(User).where(User.email == email)).one()
    user.preferred_locale = "en"
    session.add(user)
    session.commit()


def test_the_whole_dialog_in_german(page: Page, app_db_session: Session, desk_url: str) -> None:
    email = "owner@contoso.example"
    run_id = failed_run_id(app_db_session, "Northwind")
    signed_in(page, email)
    html = page.locator("html")
    try:
        expect(html).to_have_attribute("lang", "en")
        expect(page).to_have_title("Tenants · TenantPilot")
        _switch_to_german(page)
        # Screen readers pick their voice from <html lang>; the tab title follows too.
        expect(html).to_have_attribute("lang", "de")
        expect(page).to_have_title("Mandanten · TenantPilot")
        page.goto(f"/operations/{run_id}")
        expect(html).to_have_attribute("lang", "de")
        expect(page).to_have_title("Vorgangslauf · TenantPilot")
        page.get_by_role("button", name="Mehr").click()
        page.get_by_role("menuitem", name="Support anfordern").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Support anfordern")).to_be_visible()
        expect(dialog.get_by_test_id("attachment-summary")).to_contain_text("Was angehängt wird")
        scope = dialog.get_by_test_id("mutation-scope")
        expect(scope).to_have_text("Diese Anfrage betrifft: nur TenantPilot")
        screenshot(page, "dialog-de-1-form")

        dialog.get_by_label("Zusammenfassung").fill("   ")
        dialog.get_by_role("button", name="Anfrage senden").click()
        expect(dialog.locator("#summary-error")).to_have_text("Geben Sie eine Zusammenfassung ein.")
        screenshot(page, "dialog-de-2-field-errors")

        dialog.get_by_label("Zusammenfassung").fill("Desk antwortet nicht")
        dialog.get_by_role("radio", name="Vorhandenes externes Ticket verknüpfen").click()
        expect(scope).to_have_text(
            "Diese Anfrage betrifft: nur TenantPilot \N{EN DASH} verknüpft ein bereits vorhandenes"
            " Ticket; der Support-Desk wird nicht verändert"
        )
        dialog.get_by_role("radio", name="Neues Ticket im externen Support-Desk erstellen").click()
        expect(scope).to_have_text("Diese Anfrage betrifft: TenantPilot + externer Support-Desk")
        set_desk_fault(desk_url, "hang")
        try:
            dialog.get_by_role("button", name="Anfrage senden").click()
            expect(dialog.get_by_role("button", name="Wird gesendet…")).to_be_disabled()
            screenshot(page, "dialog-de-3-submitting")
            failure = dialog.get_by_test_id("failure-summary")
            expect(failure).to_be_visible(timeout=10_000)
        finally:
            set_desk_fault(desk_url, "none")
        reference = dialog.get_by_test_id("support-reference").inner_text()
        assert REFERENCE.match(reference)
        german = translate("de", "handoff.failure.timeout", seconds=5, reference=reference)
        expect(failure).to_have_text(german)
        expect(dialog).to_contain_text("Gespeichert, aber die externe Übergabe ist fehlgeschlagen")
        screenshot(page, "dialog-de-4-partial-failure")
        # The persistent record stays the English line; only the display is translated.
        stored_line = stored(app_db_session, reference).external_handoff_failure_summary
        assert stored_line.startswith("The external support desk did not answer within 5 seconds")

        page.reload()
        page.get_by_role("button", name="Mehr").click()
        page.get_by_role("menuitem", name="Support anfordern").click()
        latest = dialog.get_by_test_id("latest-handoff")
        expect(latest).to_contain_text("Letzte externe Übergabe für diesen Lauf")
        expect(latest).to_contain_text(reference)
        expect(latest).to_contain_text("Übergabe fehlgeschlagen")
        expect(latest.get_by_test_id("latest-failure")).to_have_text(german)
        screenshot(page, "dialog-de-6-latest-failed")

        dialog.get_by_label("Zusammenfassung").fill("Nur intern")
        dialog.get_by_role("button", name="Anfrage senden").click()
        expect(dialog).to_contain_text("Ihre Supportanfrage wurde erstellt.")
        expect(page.get_by_text("erstellt.").last).to_be_visible()  # the toast
        screenshot(page, "dialog-de-5-success")
    finally:
        _prefer_english(app_db_session, email)


def test_without_a_desk_create_is_disabled_with_guidance_and_the_product_is_renamed(
    page_without_desk: Page, app_db_session: Session
) -> None:
    page = page_without_desk
    signed_in(page, "operator@contoso.example")
    expect(page.get_by_role("link", name=OTHER_PRODUCT_NAME)).to_be_visible()
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    create = dialog.get_by_role("radio", name="Create a new ticket in the external support desk")
    expect(create).to_be_disabled()
    expect(dialog).to_contain_text(
        "Creating external tickets is unavailable: no external support desk is configured."
    )
    expect(dialog.get_by_role("radio", name=f"{OTHER_PRODUCT_NAME} only")).to_be_checked()
    scope = dialog.get_by_test_id("mutation-scope")
    expect(scope).to_have_text(f"This request changes: {OTHER_PRODUCT_NAME} only")
    expect(page.get_by_text("TenantPilot")).to_have_count(0)
    screenshot(page, "dialog-en-no-desk")

    # Linking needs no desk: it is offered, and says that it changes nothing there.
    dialog.get_by_role("radio", name="Link an existing external ticket").click()
    expect(scope).to_have_text(f"This request changes: {OTHER_PRODUCT_NAME} {LINK_SCOPE}")
    # No desk and no link hosts: no host a URL could be checked against.
    expect(dialog.get_by_label("External ticket URL")).to_be_disabled()
    expect(dialog).to_contain_text(
        "Only the reference is stored: without a configured support desk,"
        " ticket URLs cannot be checked."
    )
    screenshot(page, "dialog-en-no-desk-link")
    dialog.get_by_label("Summary").fill("Linked while no desk is configured")
    dialog.get_by_label("External ticket reference").fill("4711")
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("external-ticket")).to_have_text("#4711")
    row = stored(app_db_session, dialog.get_by_test_id("support-reference").inner_text())
    assert (row.external_handoff_mode, row.external_ticket_reference) == (
        "link_existing_ticket",
        "#4711",
    )


def test_support_diagnostics_from_the_run_viewer(page: Page, app_db_session: Session) -> None:
    run_id = failed_run_id(app_db_session, "Fabrikam")
    signed_in(page, "owner@contoso.example")
    page.goto(f"/operations/{run_id}")
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Open support diagnostics").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Support diagnostics")).to_be_visible()
    bundle = dialog.get_by_test_id("diagnostics-bundle")
    expect(bundle).to_contain_text("This run")
    expect(bundle).to_contain_text(f"Policy backup #{run_id}")
    text = bundle.text_content()  # includes the collapsed JSON
    assert '"operation_run": {' in text and f'"id": {run_id},' in text
    for secret in PLANTED_SECRETS:
        assert secret not in text
    screenshot(page, "diagnostics-run-viewer")
