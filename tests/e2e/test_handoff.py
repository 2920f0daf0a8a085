"""External support-desk handoff in the running app against the desk emulator (spec 256)."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from tests.e2e.conftest import screenshot, set_desk_fault, signed_in
from tests.e2e.test_support_request import (
    REFERENCE,
    failed_run_id,
    open_request_dialog,
    stored,
    tenant_id,
)


def fill_and_submit(page: Page, summary: str, mode_label: str) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill(summary)
    dialog.get_by_role("radio", name=mode_label).click()


def test_tenant_create_external_ticket(page: Page, app_db_session: Session, desk_url: str) -> None:
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Northwind')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    fill_and_submit(
        page, "Inventory sync throttled", "Create a new ticket in the external support desk"
    )
    expect(dialog.get_by_test_id("mutation-scope")).to_contain_text(
        "TenantPilot + external support desk"
    )
    screenshot(page, "handoff-dialog-create")
    dialog.get_by_role("button", name="Submit request").click()
    reference = dialog.get_by_test_id("support-reference")
    expect(reference).to_have_text(REFERENCE)
    ticket = dialog.get_by_test_id("external-ticket")
    expect(ticket).to_have_text(re.compile(r"^#\d+$"))
    screenshot(page, "handoff-success-create")
    ticket_id = ticket.inner_text().lstrip("#")
    assert ticket.get_attribute("href") == f"{desk_url}/agent/tickets/{ticket_id}"
    row = stored(app_db_session, reference.inner_text())
    assert row.external_ticket_reference == f"#{ticket_id}"
    assert row.external_handoff_failure_summary is None

    # The link opens the desk's own ticket page, which knows the SR reference.
    agent_page = httpx.get(f"{desk_url}/agent/tickets/{ticket_id}", trust_env=False)
    assert reference.inner_text() in agent_page.text


def test_run_link_existing_ticket(page: Page, app_db_session: Session, desk_url: str) -> None:
    run_id = failed_run_id(app_db_session, "Northwind")
    signed_in(page, "operator@contoso.example")
    page.goto(f"/operations/{run_id}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    fill_and_submit(page, "Backup failure already reported", "Link an existing external ticket")
    expect(dialog.get_by_test_id("mutation-scope")).to_have_text(
        "This request changes: TenantPilot only — links a ticket that already exists;"
        " the desk is not changed"
    )
    dialog.get_by_label("External ticket reference").fill(" 4711 ")
    dialog.get_by_label("External ticket URL (optional)").fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.locator("#external_url-error")).to_be_visible()
    screenshot(page, "handoff-link-invalid-url")
    dialog.get_by_label("External ticket URL (optional)").fill(f"{desk_url}/agent/tickets/4711")
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("external-ticket")).to_have_text("#4711")
    screenshot(page, "handoff-success-link")
    row = stored(app_db_session, dialog.get_by_test_id("support-reference").inner_text())
    assert (row.external_handoff_mode, row.external_ticket_reference) == (
        "link_existing_ticket",
        "#4711",
    )


def test_run_handoff_failure_is_shown_and_kept(
    page: Page, app_db_session: Session, desk_url: str
) -> None:
    run_id = failed_run_id(app_db_session, "Fabrikam")
    signed_in(page, "owner@contoso.example")
    page.goto(f"/operations/{run_id}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    fill_and_submit(page, "Restore stuck", "Create a new ticket in the external support desk")
    set_desk_fault(desk_url, "http_500")
    try:
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_test_id("failure-summary")).to_be_visible()
    finally:
        set_desk_fault(desk_url, "none")
    reference = dialog.get_by_test_id("support-reference").inner_text()
    assert REFERENCE.match(reference)
    screenshot(page, "handoff-failure")
    row = stored(app_db_session, reference)
    assert row.external_handoff_failure_summary
    assert row.external_ticket_reference is None

    page.reload()
    screenshot(page, "handoff-run-page-reloaded")
    open_request_dialog(page)
    latest = page.get_by_test_id("latest-handoff")
    expect(latest).to_contain_text(reference)
    expect(latest).to_contain_text("Handoff failed")
    expect(latest).to_contain_text(row.external_handoff_failure_summary)
    screenshot(page, "handoff-failure-after-reload")


def test_a_hanging_desk_shows_progress_and_blocks_no_one_else(
    page: Page, browser: Browser, app_url: str, app_db_session: Session, desk_url: str
) -> None:
    other_context = browser.new_context(base_url=app_url)
    other = other_context.new_page()
    try:
        signed_in(other, "owner@contoso.example")
        signed_in(page, "operator@contoso.example")
        page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
        open_request_dialog(page)
        dialog = page.get_by_role("dialog")
        fill_and_submit(
            page, "Desk does not answer", "Create a new ticket in the external support desk"
        )
        set_desk_fault(desk_url, "hang")
        try:
            dialog.get_by_role("button", name="Submit request").click()
            busy = dialog.get_by_role("button", name="Submitting…")
            expect(busy).to_be_disabled()
            screenshot(page, "handoff-submitting")
            # Meanwhile another user's page loads and works normally.
            started = time.monotonic()
            other.goto(f"/tenants/{tenant_id(app_db_session, 'Adatum')}")
            expect(other.get_by_role("heading", name="Adatum")).to_be_visible()
            assert time.monotonic() - started < 3.0
            expect(busy).to_be_visible()  # the desk call is still running
            summary = dialog.get_by_test_id("failure-summary")
            expect(summary).to_be_visible(timeout=10_000)
        finally:
            set_desk_fault(desk_url, "none")
        reference = dialog.get_by_test_id("support-reference").inner_text()
        expect(summary).to_contain_text(reference)  # "the desk may hold a ticket with SR-…"
        screenshot(page, "handoff-timeout")
    finally:
        other_context.close()
