"""The dialog previews what will be stored and sent; the stored request and the desk
ticket equal the preview, and the typed secret is nowhere (database, desk, logs)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from support_app.models import User
from tests.e2e.conftest import screenshot, signed_in
from tests.e2e.test_support_request import REFERENCE, open_request_dialog, stored, tenant_id
from tests.running_app import DESK_EMAIL, DESK_TOKEN

PASSWORD = "Fruehling2026x"
TEAMS_PATH = "3f2a9c1e@72f988bf/IncomingWebhook/9b8a7c6d5e4f/6d1e2f3a/V2kR3mXw9Pq7Lz2N"
NOTES = (
    f"Das Passwort lautet {PASSWORD}\n"
    f"Alerts go to https://contoso.webhook.office.com/webhookb2/{TEAMS_PATH}"
)


def _everything_stored(session: Session) -> str:
    """Every value of every table of the app's database, as one text."""
    connection = session.connection()
    return "\n".join(
        " ".join(str(value) for value in row)
        for table in inspect(connection).get_table_names()
        for row in connection.execute(text(f'SELECT * FROM "{table}"'))
    )


def test_notes_are_previewed_redacted_and_stored_and_sent_as_previewed(
    page: Page, app_db_session: Session, desk_url: str, app_workdir: Path, event_trace: Path
) -> None:
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    open_request_dialog(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Summary").fill("Alerts stopped after the password change")
    dialog.get_by_label("Reproduction notes (optional)").fill(NOTES)

    notes = dialog.get_by_test_id("preview-notes")
    expect(notes).to_contain_text("Das Passwort lautet [redacted:stated-secret]")
    expect(notes).to_contain_text("webhookb2/[redacted:teams-webhook]")
    removed = dialog.get_by_test_id("preview-removed")
    expect(removed).to_have_text(
        "Removed before storing: 1 Teams webhook, 1 secret stated in the text."
    )
    expect(removed).to_have_attribute("aria-live", "polite")
    dialog.get_by_text("Show the context as it will be stored").click()
    expect(dialog.get_by_test_id("preview-context")).to_contain_text("Fabrikam")
    screenshot(page, "support-dialog-preview")
    previewed_summary = dialog.get_by_test_id("preview-summary").inner_text()
    previewed_notes = notes.inner_text()
    assert PASSWORD not in page.content()  # the typed value is in the field only

    dialog.get_by_role("radio", name="Create a new ticket in the external support desk").click()
    dialog.get_by_role("button", name="Submit request").click()
    reference = dialog.get_by_test_id("support-reference")
    expect(reference).to_have_text(REFERENCE)
    ticket_id = dialog.get_by_test_id("external-ticket").inner_text().lstrip("#")

    row = stored(app_db_session, reference.inner_text())
    assert (row.summary, row.reproduction_notes) == (previewed_summary, previewed_notes)
    ticket = httpx.get(
        f"{desk_url}/api/v2/tickets/{ticket_id}.json",
        auth=(f"{DESK_EMAIL}/token", DESK_TOKEN),
        trust_env=False,
    ).json()["ticket"]
    assert f"Reproduction notes:\n{previewed_notes}\n" in ticket["description"]
    sent = str(ticket)
    everything = _everything_stored(app_db_session)
    logs = (app_workdir / "reflex.log").read_text(errors="replace")
    trace = event_trace.read_text(errors="replace") if event_trace.exists() else ""
    for secret in (PASSWORD, TEAMS_PATH, re.sub(r"/V2.*", "", TEAMS_PATH)):
        assert secret not in everything
        assert secret not in sent
        assert secret not in logs
        assert secret not in trace


def test_the_preview_speaks_german(page: Page, app_db_session: Session) -> None:
    email = "operator@contoso.example"
    signed_in(page, email)
    try:
        page.get_by_role("combobox", name="Language").click()
        page.get_by_role("option", name="Deutsch").click()
        expect(page.get_by_role("heading", name="Ihre Mandanten")).to_be_visible()
        page.goto(f"/tenants/{tenant_id(app_db_session, 'Northwind')}")
        page.get_by_role("button", name="Mehr").click()
        page.get_by_role("menuitem", name="Support anfordern").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Schritte zur Reproduktion (optional)").fill(NOTES)
        expect(dialog.get_by_test_id("preview-removed")).to_have_text(
            "Vor dem Speichern entfernt: 1 Teams-Webhook, 1 im Text genanntes Geheimnis."
        )
        expect(dialog.get_by_test_id("request-preview")).to_contain_text(
            "Was gespeichert und gesendet wird"
        )
        dialog.get_by_text("Kontext so anzeigen, wie er gespeichert wird").click()
        expect(dialog.get_by_test_id("preview-context")).to_contain_text("Verweise")
        screenshot(page, "support-dialog-preview-de")
    finally:
        user = app_db_session.exec(select(User).where(User.email == email)).one()
        user.preferred_locale = "en"  # the language choice must not leak into other tests
        app_db_session.add(user)
        app_db_session.commit()
