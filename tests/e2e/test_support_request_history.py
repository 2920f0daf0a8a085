"""Support requests an operator can find again (issue 17), in the running app.

Submit from a run page, find the request in the tenant's history narrowed to that
run, open its detail with the ticket link; as owner remove a pasted secret and see
it gone from the page and the database, with its audit row and redaction record;
as readonly, read without the action; in German too; axe on every state.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequestRedaction
from support_app.models.support_request import MANUAL_REDACTION_PLACEHOLDER
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import checked_page, screenshot, signed_in
from tests.e2e.test_operator_experience import _prefer_english, _switch_to_german
from tests.e2e.test_support_request import (
    REFERENCE,
    failed_run_id,
    open_request_dialog,
    stored,
    tenant_id,
)

SECRET = "hunter2-SECRET-4242"
CREATE = "Create a new ticket in the external support desk"


def _submit_from_run(page: Page, run_id: int) -> str:
    page.goto(f"/operations/{run_id}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill(f"Restore fails, I pasted {SECRET}")
    dialog.get_by_label("Reproduction notes (optional)").fill(f"Ran restore with {SECRET}.")
    dialog.get_by_role("radio", name=CREATE).click()
    dialog.get_by_role("button", name="Submit request").click()
    reference = dialog.get_by_test_id("support-reference")
    expect(reference).to_have_text(REFERENCE)
    expect(dialog.get_by_test_id("external-ticket")).to_have_text(re.compile(r"^#\d+$"))
    expect(dialog.get_by_test_id("open-request")).to_have_attribute(
        "href", f"/support-requests/{reference.inner_text()}"
    )
    screenshot(page, "history-dialog-success-links-detail")
    return reference.inner_text()


def test_find_open_and_redact_a_request(
    page: Page, browser: Browser, app_url: str, app_db_session: Session, desk_url: str
) -> None:
    audit = AxeAudit(page)
    fabrikam = tenant_id(app_db_session, "Fabrikam")
    run_id = failed_run_id(app_db_session, "Fabrikam")
    signed_in(page, "owner@contoso.example")
    reference = _submit_from_run(page, run_id)
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_be_hidden()

    # The run page links to the tenant's history narrowed to the run.
    page.get_by_test_id("support-requests-link").click()
    expect(page).to_have_url(re.compile(rf"/tenants/{fabrikam}/support-requests\?run={run_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Support requests · Operation run #{run_id}"
    )
    rows = page.get_by_test_id("history-row")
    expect(rows.first).to_contain_text(reference)
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text(f"#{run_id}")
    expect(rows.first).to_contain_text("Ticket created")
    screenshot(page, "history-tenant-filtered-to-run")
    audit.check("history-tenant-run")

    # Filters narrow the list; an outcome no request of the run has (every handoff
    # of the lane is finalised within seconds) shows the empty state.
    page.get_by_role("combobox", name="Handoff outcome").click()
    page.get_by_role("option", name="Outcome not recorded yet").click()
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    screenshot(page, "history-filter-empty")
    page.get_by_role("combobox", name="Handoff outcome").click()
    page.get_by_role("option", name="Ticket created").click()
    expect(rows.first).to_contain_text(reference)

    # The detail page: what was stored and sent, with the ticket link.
    page.get_by_role("link", name=reference).click()
    expect(page).to_have_url(re.compile(rf"/support-requests/{reference}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    row = stored(app_db_session, reference)
    ticket_link = page.get_by_role("link", name=row.external_ticket_reference).first
    expect(ticket_link).to_have_attribute(
        "href", f"{desk_url}/agent/tickets/{row.external_ticket_reference.lstrip('#')}"
    )
    expect(page.get_by_test_id("detail-summary")).to_contain_text(SECRET)
    trail = page.get_by_test_id("audit-row")
    expect(trail).to_have_count(2)
    expect(trail.nth(1)).to_contain_text("External ticket created")
    expect(page.get_by_text("Remove a secret that slipped through")).to_be_visible()
    expect(page.get_by_text("already sent to the external support desk")).to_be_visible()
    screenshot(page, "detail-owner")
    audit.check("detail-owner")

    # A text that does not occur is refused with a field message, nothing stored.
    page.get_by_label("Text to remove").fill("no such text here")
    page.get_by_role("button", name="Remove everywhere in this request").click()
    expect(page.get_by_role("alert").filter(has_text="does not occur")).to_be_visible()
    screenshot(page, "detail-redaction-refused")
    audit.check("detail-redaction-refused")

    page.get_by_label("Text to remove").fill(SECRET)
    page.get_by_role("button", name="Remove everywhere in this request").click()
    expect(page.get_by_test_id("detail-summary")).to_have_text(
        f"Restore fails, I pasted {MANUAL_REDACTION_PLACEHOLDER}"
    )
    expect(page.get_by_test_id("detail-notes")).not_to_contain_text(SECRET)
    expect(trail).to_have_count(3)
    expect(trail.nth(2)).to_contain_text("Text removed")
    expect(trail.nth(2)).to_contain_text("Summary, Reproduction notes · 2 occurrence(s)")
    screenshot(page, "detail-after-redaction")

    row = stored(app_db_session, reference)
    assert SECRET not in row.summary and SECRET not in (row.reproduction_notes or "")
    assert row.redaction_count == 1
    app_db_session.expire_all()
    redacted = app_db_session.exec(
        select(AuditLog).where(
            AuditLog.subject_id == reference, AuditLog.action == "support_request.redacted"
        )
    ).one()
    record = app_db_session.exec(
        select(SupportRequestRedaction).where(SupportRequestRedaction.support_request_id == row.id)
    ).one()
    assert record.audit_log_id == redacted.id
    assert SECRET not in repr(redacted.metadata_json) + repr(record)

    # Readonly reads the history and the detail, without the action or the snapshot.
    with checked_page(browser, app_url) as readonly:
        readonly_audit = AxeAudit(readonly)
        signed_in(readonly, "readonly@contoso.example")
        readonly.goto(f"/tenants/{fabrikam}")
        readonly.get_by_test_id("support-requests-link").click()
        expect(readonly.get_by_role("heading", level=1)).to_have_text("Support requests · Fabrikam")
        expect(readonly.get_by_test_id("history-row").first).to_contain_text(reference)
        screenshot(readonly, "history-tenant-readonly")
        readonly_audit.check("history-tenant-readonly")
        readonly.get_by_role("link", name=reference).click()
        expect(readonly.get_by_test_id("detail-summary")).to_contain_text(
            MANUAL_REDACTION_PLACEHOLDER
        )
        expect(readonly.get_by_test_id("withheld")).to_be_visible()
        expect(readonly.get_by_text("Remove a secret that slipped through")).to_have_count(0)
        expect(readonly.get_by_label("Text to remove")).to_have_count(0)
        screenshot(readonly, "detail-readonly")
        readonly_audit.check("detail-readonly")

        try:
            readonly.goto("/")
            _switch_to_german(readonly)
            readonly.goto(f"/support-requests/{reference}")
            expect(readonly.get_by_text("Prüfprotokoll dieser Anfrage")).to_be_visible()
            expect(readonly.get_by_test_id("audit-row").nth(2)).to_contain_text("Text entfernt")
            screenshot(readonly, "detail-readonly-de")
            readonly_audit.check("detail-readonly-de")
            readonly.goto(f"/tenants/{fabrikam}/support-requests")
            expect(readonly.get_by_role("heading", level=1)).to_have_text(
                "Supportanfragen · Fabrikam"
            )
            expect(readonly.get_by_test_id("history-row").first).to_contain_text("Ticket erstellt")
            screenshot(readonly, "history-tenant-de")
            readonly_audit.check("history-tenant-de")
        finally:
            _prefer_english(app_db_session, "readonly@contoso.example")
        assert readonly_audit.blocking == [], "\n".join(readonly_audit.blocking)

    # The workspace history, from the home page: the owner's three tenants.
    page.goto("/")
    page.get_by_test_id("workspace-support-requests").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support requests · Contoso MSP")
    expect(page.get_by_test_id("history-row").first).to_contain_text(reference)
    page.get_by_role("checkbox", name="Created by me").click()
    expect(page.get_by_test_id("history-row").first).to_contain_text(reference)
    screenshot(page, "history-workspace")
    audit.check("history-workspace")
    assert audit.blocking == [], "\n".join(audit.blocking)


def test_other_workspaces_requests_are_not_found(page: Page, app_db_session: Session) -> None:
    signed_in(page, "owner@contoso.example")
    reference = _submit_from_run(page, failed_run_id(app_db_session, "Northwind"))
    page.get_by_role("button", name="Done").click()
    with checked_page(page.context.browser, page.url.split("/operations")[0]) as outsider:
        signed_in(outsider, "outsider@litware.example")
        outsider.goto(f"/support-requests/{reference}")
        expect(outsider.get_by_test_id("not-found")).to_be_visible()
        outsider.goto(f"/tenants/{tenant_id(app_db_session, 'Northwind')}/support-requests")
        expect(outsider.get_by_test_id("not-found")).to_be_visible()
        screenshot(outsider, "history-not-found")
