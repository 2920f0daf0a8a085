"""Customer offboarding in the running app (issue 24).

The workspace owner erases every request of a customer that leaves (Adatum: no other
lane's test reads its requests), typing its name to confirm: a wrong name erases
nothing; the right one turns the list into tombstones and lists the desk tickets to
erase at the desk; a tombstone's page says plainly what is left. An operator and a
readonly user get no such action (forged events: tests/security). On the workspace
page the owner sets the retention period and exports, then erases, a contact's data.
German too; axe on every state.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from support_app.models import Erasure, Tenant, Workspace
from support_app.models.erasure import ERASURE_MARKER
from support_app.services.access import Actor
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from tests.conftest import actor_for, run_coroutine
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import checked_page, screenshot, signed_in
from tests.e2e.test_operator_experience import _prefer_english, _switch_to_german
from tests.e2e.test_support_request import stored, tenant_id

OWNER = "owner@contoso.example"
TITLE = "Offboard this customer"
SUBMIT = "Erase all support requests of this customer"


def _raise(session: Session, actor: Actor, tenant: int, ticket: str = "") -> str:
    form = SupportRequestForm(
        severity="high",
        summary="Adatum sync fails",
        reproduction_notes="Jana from Adatum called",
        contact_name="Jana Adatum",
        contact_email="jana@adatum.example",
        handoff_mode="link_existing_ticket" if ticket else "internal_only",
        external_reference=ticket,
    )
    service = SupportRequestSubmissionService(session.get_bind())
    return run_coroutine(service.submit(actor, SupportContext("tenant", tenant), form)).reference


def test_the_owner_offboards_a_customer_and_sees_tombstones(
    page: Page, browser: Browser, app_url: str, app_db_session: Session
) -> None:
    audit = AxeAudit(page)
    adatum = tenant_id(app_db_session, "Adatum")
    owner = actor_for(app_db_session, OWNER)
    internal = _raise(app_db_session, owner, adatum)
    linked = _raise(app_db_session, owner, adatum, ticket="#4711")

    signed_in(page, OWNER)
    page.goto(f"/tenants/{adatum}/support-requests")
    expect(page.get_by_test_id("history-row").first).to_contain_text("Adatum sync fails")
    section = page.get_by_test_id("offboarding")
    expect(section.get_by_role("heading", name=TITLE)).to_be_visible()
    screenshot(page, "offboarding-form")
    audit.check("offboarding-form")

    confirmation = page.get_by_label("To confirm, type the customer's name:")
    confirmation.fill("adatum")
    page.get_by_role("button", name=SUBMIT).click()
    expect(page.get_by_role("alert").filter(has_text="not the customer's name")).to_be_visible()
    assert stored(app_db_session, internal).erasure_id is None
    screenshot(page, "offboarding-wrong-name")
    audit.check("offboarding-wrong-name")

    confirmation.fill("Adatum")
    page.get_by_role("button", name=SUBMIT).click()
    result = page.get_by_test_id("offboarding-result")
    expect(result).to_contain_text("support request(s) of Adatum")
    ticket = result.get_by_test_id("desk-ticket")
    expect(ticket).to_have_count(1)
    expect(ticket).to_contain_text("#4711")
    expect(ticket.get_by_role("link", name=linked)).to_have_attribute(
        "href", f"/support-requests/{linked}"
    )
    tombstones = page.get_by_test_id("tombstone")
    expect(tombstones.first).to_contain_text("Erased on")
    expect(tombstones.first).to_contain_text("(customer offboarding)")
    expect(page.get_by_text("Adatum sync fails")).to_have_count(0)
    screenshot(page, "offboarding-done-tombstones")
    audit.check("offboarding-done")

    app_db_session.expire_all()
    for reference in (internal, linked):
        row = stored(app_db_session, reference)
        assert (row.summary, row.contact_email) == (ERASURE_MARKER, None)
    record = app_db_session.exec(select(Erasure).where(Erasure.tenant_id == adatum)).one()
    assert (record.reason, record.erased_by_user_id) == ("offboarding", owner.user_id)

    # The reference in the desk ticket still resolves, to a plain tombstone.
    page.goto(f"/support-requests/{linked}")
    expect(page.get_by_test_id("tombstone-callout")).to_contain_text("(customer offboarding)")
    expect(page.get_by_text("Remove a secret that slipped through")).to_have_count(0)
    screenshot(page, "offboarding-tombstone-detail")
    audit.check("offboarding-tombstone-detail")

    try:
        page.goto("/")
        _switch_to_german(page)
        page.goto(f"/tenants/{adatum}/support-requests")
        expect(page.get_by_test_id("tombstone").first).to_contain_text("(Kunden-Offboarding)")
        expect(page.get_by_role("heading", name="Diesen Kunden offboarden")).to_be_visible()
        screenshot(page, "offboarding-tombstones-de")
        audit.check("offboarding-de")
        page.goto(f"/support-requests/{linked}")
        expect(page.get_by_test_id("tombstone-callout")).to_contain_text("Gelöscht am")
        screenshot(page, "offboarding-tombstone-detail-de")
    finally:
        _prefer_english(app_db_session, OWNER)

    # Neither an operator nor a readonly user is offered the action.
    for email, tenant in (
        ("operator@contoso.example", "Northwind"),
        ("readonly@contoso.example", "Fabrikam"),
    ):
        with checked_page(browser, app_url) as other:
            signed_in(other, email)
            other.goto(f"/tenants/{tenant_id(app_db_session, tenant)}/support-requests")
            expect(other.get_by_role("heading", level=1)).to_contain_text(tenant)
            expect(other.get_by_test_id("offboarding")).to_have_count(0)
            expect(other.get_by_role("button", name=SUBMIT)).to_have_count(0)
            screenshot(other, f"offboarding-absent-{email.split('@')[0]}")
            other.goto(f"/tenants/{adatum}/support-requests")  # not even theirs to see
            expect(other.get_by_test_id("not-found")).to_be_visible()
    assert audit.blocking == [], "\n".join(audit.blocking)


CONTACT = "kim.contact@fabrikam.example"


def test_the_owner_sets_retention_and_answers_a_persons_request(
    page: Page, browser: Browser, app_url: str, app_db_session: Session
) -> None:
    audit = AxeAudit(page)
    owner = actor_for(app_db_session, OWNER)
    fabrikam = tenant_id(app_db_session, "Fabrikam")
    workspace = app_db_session.get_one(Tenant, fabrikam).workspace_id
    form = SupportRequestForm(
        severity="normal", summary="Kim cannot enrol", contact_name="Kim", contact_email=CONTACT
    )
    service = SupportRequestSubmissionService(app_db_session.get_bind())
    reference = run_coroutine(
        service.submit(owner, SupportContext("tenant", fabrikam), form)
    ).reference

    signed_in(page, OWNER)
    page.goto(f"/workspaces/{workspace}/support-requests")
    card = page.get_by_test_id("data-protection")
    expect(card.get_by_role("heading", name="Data protection")).to_be_visible()
    screenshot(page, "data-protection-card")
    audit.check("data-protection-card")

    months = page.get_by_label("Months (empty: off)")
    months.fill("0")
    page.get_by_role("button", name="Save retention period").click()
    expect(page.get_by_role("alert").filter(has_text="whole number of months")).to_be_visible()
    screenshot(page, "data-protection-retention-invalid")
    months.fill("120")
    page.get_by_role("button", name="Save retention period").click()
    expect(page.get_by_text("Retention period set to 120 months.")).to_be_visible()
    screenshot(page, "data-protection-retention-saved")
    app_db_session.expire_all()
    assert app_db_session.get_one(Workspace, workspace).retention_months == 120

    export = page.get_by_test_id("person-export-form")
    export.get_by_label("E-mail address to export").fill(CONTACT.upper())
    with page.expect_download() as download:
        export.get_by_role("button", name="Export as JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [r["reference"] for r in exported["requests"]] == [reference]
    assert exported["requests"][0]["contact"] == {"name": "Kim", "email": CONTACT}

    erase = page.get_by_test_id("person-erase-form")
    erase.get_by_label("E-mail address to erase").fill(CONTACT)
    erase.get_by_role("button", name="Erase this person's data").click()
    expect(page.get_by_role("alert").filter(has_text="Confirm that you have")).to_be_visible()
    assert stored(app_db_session, reference).contact_email == CONTACT
    erase.get_by_label("E-mail address to erase").fill(CONTACT)
    erase.get_by_label("Reason or case number (optional)").fill("DSR-7")
    erase.get_by_role("checkbox").click()
    erase.get_by_role("button", name="Erase this person's data").click()
    expect(page.get_by_role("status").filter(has_text="former user #")).to_be_visible()
    screenshot(page, "data-protection-person-erased")
    audit.check("data-protection-person-erased")
    assert stored(app_db_session, reference).contact_email is None

    try:
        page.goto("/")
        _switch_to_german(page)
        page.goto(f"/workspaces/{workspace}/support-requests")
        expect(page.get_by_role("heading", name="Datenschutz")).to_be_visible()
        screenshot(page, "data-protection-card-de")
        audit.check("data-protection-card-de")
    finally:
        _prefer_english(app_db_session, OWNER)
        with Session(app_db_session.get_bind()) as s:
            s.get_one(Workspace, workspace).retention_months = None
            s.commit()

    # The operator, a member of the same workspace, is not offered the card.
    with checked_page(browser, app_url) as operator:
        signed_in(operator, "operator@contoso.example")
        operator.goto(f"/workspaces/{workspace}/support-requests")
        expect(operator.get_by_test_id("history-row").first).to_be_visible()
        expect(operator.get_by_test_id("data-protection")).to_have_count(0)
    assert audit.blocking == [], "\n".join(audit.blocking)
