"""Requesting support from the tenant dashboard and the run viewer (spec 246)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from support_app.models import OperationRun, SupportRequest, Tenant
from support_app.services.demo_seed import PLANTED_SECRETS
from tests.e2e.conftest import screenshot, signed_in

REFERENCE = re.compile(r"^SR-[0-9A-HJKMNP-TV-Z]{26}$")


def tenant_id(session: Session, name: str) -> int:
    return session.exec(select(Tenant.id).where(Tenant.name == name)).one()


def failed_run_id(session: Session, tenant: str) -> int:
    return session.exec(
        select(OperationRun.id).where(
            OperationRun.tenant_id == tenant_id(session, tenant), OperationRun.outcome == "failed"
        )
    ).first()


def open_request_dialog(page: Page) -> None:
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Request support").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def submit_request(page: Page, summary: str) -> str:
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill(summary)
    dialog.get_by_label("Reproduction notes (optional)").fill("Open the dashboard, wait.")
    dialog.get_by_role("button", name="Submit request").click()
    reference = dialog.get_by_test_id("support-reference")
    expect(reference).to_have_text(REFERENCE)
    return reference.inner_text()


def stored(session: Session, reference: str) -> SupportRequest:
    session.expire_all()
    return session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def test_operator_requests_support_from_tenant_dashboard(
    page: Page, app_db_session: Session
) -> None:
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Contact e-mail")).to_have_value("operator@contoso.example")
    expect(dialog.get_by_test_id("attachment-summary")).to_contain_text(
        "Canonical context references only"
    )
    expect(dialog.get_by_test_id("mutation-scope")).to_contain_text("TenantPilot only")
    screenshot(page, "support-dialog-operator-tenant")

    reference = submit_request(page, "Dashboard shows degraded connection")
    screenshot(page, "support-success-tenant")
    row = stored(app_db_session, reference)
    assert row.primary_context_type == "tenant"
    assert row.attachment_mode == "canonical_context_only"
    assert row.summary == "Dashboard shows degraded connection"
    assert row.contact_email == "operator@contoso.example"


def test_operator_requests_support_from_failed_run(page: Page, app_db_session: Session) -> None:
    run_id = failed_run_id(app_db_session, "Fabrikam")
    signed_in(page, "operator@contoso.example")
    page.goto(f"/operations/{run_id}")
    open_request_dialog(page)
    expect(page.get_by_role("dialog")).to_contain_text(f"#{run_id}")
    reference = submit_request(page, "Policy backup keeps failing")
    screenshot(page, "support-success-run")
    row = stored(app_db_session, reference)
    assert (row.primary_context_type, row.operation_run_id) == ("operation_run", run_id)
    envelope = str(row.context_envelope)
    for secret in PLANTED_SECRETS:
        assert secret not in envelope


def test_blank_summary_gets_a_field_error_and_nothing_is_stored(
    page: Page, app_db_session: Session
) -> None:
    before = len(app_db_session.exec(select(SupportRequest.id)).all())
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Northwind')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill("   ")
    dialog.get_by_role("button", name="Submit request").click()
    expect(dialog.locator("#summary-error")).to_be_visible()
    screenshot(page, "support-dialog-field-error")
    app_db_session.expire_all()
    assert len(app_db_session.exec(select(SupportRequest.id)).all()) == before


def test_owner_gets_snapshot_and_diagnostics_without_secrets(
    page: Page, app_db_session: Session
) -> None:
    signed_in(page, "owner@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Adatum')}")
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Open support diagnostics").click()
    bundle = page.get_by_test_id("diagnostics-bundle")
    expect(bundle).to_be_visible()
    expect(bundle).to_contain_text("Quarterly security review — Adatum")
    expect(bundle).to_contain_text("Degraded")
    text = bundle.text_content()  # includes the collapsed JSON
    assert '"open_findings_by_severity"' in text
    for secret in PLANTED_SECRETS:
        assert secret not in text
    screenshot(page, "support-diagnostics-owner")
    page.get_by_role("button", name="Close").click()

    open_request_dialog(page)
    expect(page.get_by_test_id("attachment-summary")).to_contain_text(
        "redacted support-diagnostics snapshot"
    )
    rendered = page.content()  # the dashboard behind the open dialog, and the dialog
    assert "[redacted:" in rendered  # the connection error is shown, redacted
    for secret in PLANTED_SECRETS:
        assert secret not in rendered
    reference = submit_request(page, "Conditional access finding looks wrong")
    assert stored(app_db_session, reference).attachment_mode == "diagnostic_snapshot"


def test_readonly_does_not_see_support_actions(page: Page, app_db_session: Session) -> None:
    signed_in(page, "readonly@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("menuitem", name="Request support")).to_have_count(0)
    expect(page.get_by_role("menuitem", name="Open support diagnostics")).to_have_count(0)
    expect(page.get_by_role("menuitem", name="No further actions available")).to_be_visible()
    screenshot(page, "more-menu-readonly")
