"""Accessibility: no serious or critical axe-core findings on any page or dialog state.

Each page also has one ``main`` landmark and exactly one level-one heading. The
findings of every page and state are written to ``test-artifacts/axe/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from support_app.models import TenantMembership, User
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import screenshot, set_desk_fault, sign_in, signed_in
from tests.e2e.test_support_request import REFERENCE, failed_run_id, open_request_dialog, tenant_id

CREATE = "Create a new ticket in the external support desk"


def assert_structure(page: Page) -> None:
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)


def test_pages_have_no_serious_findings(page: Page, app_db_session: Session) -> None:
    audit = AxeAudit(page)
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_structure(page)
    audit.check("login")
    sign_in(page, "operator@contoso.example", "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("login-error")

    signed_in(page, "owner@contoso.example")
    assert_structure(page)
    audit.check("home")

    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam", level=1)).to_be_visible()
    assert_structure(page)
    audit.check("tenant-dashboard")

    page.goto(f"/operations/{failed_run_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_text("Failure summary")).to_be_visible()
    assert_structure(page)
    audit.check("run-viewer")

    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("menuitem", name="Request support")).to_be_visible()
    audit.check("more-menu")
    page.get_by_role("menuitem", name="Open support diagnostics").click()
    expect(page.get_by_test_id("diagnostics-bundle")).to_be_visible()
    audit.check("diagnostics")

    page.goto("/tenants/999999")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    assert_structure(page)
    audit.check("not-found")
    audit.assert_clean()


def test_support_dialog_states_have_no_serious_findings(
    page: Page, app_db_session: Session, desk_url: str
) -> None:
    """Form, field errors, success, submitting, partial failure, the latest-handoff box
    after each outcome, and the success and warning toasts (English screenshots too)."""
    audit = AxeAudit(page)
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("attachment-summary")).to_contain_text("snapshot")
    screenshot(page, "dialog-en-1-form")
    audit.check("dialog-form")

    dialog.get_by_label("Summary").fill("   ")
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.locator("#summary-error")).to_be_visible()
    screenshot(page, "dialog-en-2-field-errors")
    audit.check("dialog-field-errors")

    dialog.get_by_label("Summary").fill("Accessibility check: created")
    dialog.get_by_role("radio", name=CREATE).click()
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.get_by_test_id("external-ticket")).to_be_visible()
    screenshot(page, "dialog-en-5-success")
    audit.check("dialog-success")
    # While the dialog is open the page behind it (toasts included) is aria-hidden
    # and axe skips it, so the toast is checked once the dialog is closed.
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text("created.", exact=False).last).to_be_visible()
    audit.check("toast-success")

    open_request_dialog(page)
    expect(dialog.get_by_test_id("latest-handoff")).to_contain_text("Ticket created")
    audit.check("dialog-latest-created")

    dialog.get_by_label("Summary").fill("Accessibility check: desk hangs")
    dialog.get_by_role("radio", name=CREATE).click()
    set_desk_fault(desk_url, "hang")
    try:
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_role("button", name="Submitting…")).to_be_disabled()
        screenshot(page, "dialog-en-3-submitting")
        audit.check("dialog-submitting")
        expect(dialog.get_by_test_id("failure-summary")).to_be_visible(timeout=10_000)
    finally:
        set_desk_fault(desk_url, "none")
    expect(dialog.get_by_test_id("support-reference")).to_have_text(REFERENCE)
    screenshot(page, "dialog-en-4-partial-failure")
    audit.check("dialog-partial-failure")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_text("external handoff failed").last).to_be_visible()
    audit.check("toast-warning")

    open_request_dialog(page)
    expect(dialog.get_by_test_id("latest-handoff")).to_contain_text("Handoff failed")
    screenshot(page, "dialog-en-6-latest-failed")
    audit.check("dialog-latest-failed")
    audit.assert_clean()


@contextmanager
def tenant_role(session: Session, email: str, tenant: str, role: str) -> Iterator[None]:
    """Temporarily give ``email`` another role on ``tenant`` (restored afterwards)."""
    membership = session.exec(
        select(TenantMembership)
        .join(User, User.id == TenantMembership.user_id)
        .where(User.email == email, TenantMembership.tenant_id == tenant_id(session, tenant))
    ).one()
    before, membership.role = membership.role, role
    session.add(membership)
    session.commit()
    try:
        yield
    finally:
        membership.role = before
        session.add(membership)
        session.commit()


def test_error_toast_has_no_serious_findings(page: Page, app_db_session: Session) -> None:
    audit = AxeAudit(page)
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Northwind')}")
    expect(page.get_by_role("heading", name="Northwind", level=1)).to_be_visible()
    # The role is taken away after the page was drawn: the menu still offers the
    # action, the server refuses it and says so in an error toast.
    with tenant_role(app_db_session, "operator@contoso.example", "Northwind", "readonly"):
        page.get_by_role("button", name="More").click()
        page.get_by_role("menuitem", name="Request support").click()
        expect(page.get_by_text("Your role does not allow this action")).to_be_visible()
        audit.check("toast-error")  # waits for the toast to finish fading in
        screenshot(page, "toast-error")
    audit.assert_clean()
