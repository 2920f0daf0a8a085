"""The request is stored, and sent to the desk, exactly as the dialog previewed it.

Secrets of the second redaction round's families are typed into summary and notes;
the stored row holds the preview's texts, the desk ticket's body carries them as
they are, and the typed secrets are in no column of the row, no audit row and no
ticket (SQLite and PostgreSQL, real HTTP to the desk emulator).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.canonical_json import canonical_json
from support_app.models import AuditLog, SupportRequest
from support_app.services.support_desk.emulator import DeskEmulatorServer, serving_in_background
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.preview import preview_notes, preview_summary
from support_app.services.support_requests.scope import SupportContext
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import submit, tenant_id

EMAIL, TOKEN = "agent@desk.example", "preview-test-token"
TEAMS_PATH = "3f2a9c1e@72f988bf/IncomingWebhook/9b8a7c6d5e4f/6d1e2f3a/V2kR3mXw9Pq7Lz2N"
SECRETS = ("Fruehling2026x", TEAMS_PATH, "PwSummary!77", "ArgvSsh2x", 'Quo\\"ted!Pw')
SUMMARY = "Backups fail: sshpass -p PwSummary!77 ssh backup01"
NOTES = (
    "Das Passwort lautet Fruehling2026x\n"
    f"Alerts: https://contoso.webhook.office.com/webhookb2/{TEAMS_PATH}\n"
    'argv: ["sshpass", "-p", "ArgvSsh2x", "ssh", "host"]\n'
    'config: {"password": "Quo\\"ted!Pw"}'
)


@pytest.fixture(scope="module")
def desk() -> Iterator[DeskEmulatorServer]:
    with serving_in_background(email=EMAIL, token=TOKEN, quiet=True) as server:
        yield server


def test_stored_request_and_desk_ticket_equal_the_preview(
    engine: Engine, session: Session, desk: DeskEmulatorServer
) -> None:
    summary, notes = preview_summary(SUMMARY), preview_notes(NOTES)
    assert notes.removed == {
        "teams-webhook": 1,
        "secret-key": 1,
        "cli-option": 1,
        "stated-secret": 1,
    }
    handoff = ExternalSupportDeskHandoffService(SupportDeskTarget(desk.base_url, EMAIL, TOKEN))
    form = SupportRequestForm(
        severity="high",
        summary=SUMMARY,
        reproduction_notes=NOTES,
        handoff_mode="create_external_ticket",
    )
    actor = actor_for(session, "operator@contoso.example")
    result = submit(
        engine, actor, SupportContext("tenant", str(tenant_id(session, "Fabrikam"))), form, handoff
    )
    assert not result.handoff_failed

    session.expire_all()
    row = session.exec(
        select(SupportRequest).where(SupportRequest.reference == result.reference)
    ).one()
    assert (row.summary, row.reproduction_notes) == (summary.text, notes.text)
    ticket = desk.state.ticket(int(result.external_reference.lstrip("#")))
    assert f"Summary: {summary.text}" in ticket["description"]
    assert f"Reproduction notes:\n{notes.text}\n" in ticket["description"]

    # No typed secret anywhere: the row's every column, the audit rows, the ticket.
    columns = (
        session.connection()
        .execute(
            text("SELECT * FROM support_requests WHERE reference = :r"), {"r": result.reference}
        )
        .one()
    )
    stored = " ".join(str(value) for value in columns)
    audits = canonical_json([a.metadata_json for a in session.exec(select(AuditLog)).all()])
    for secret in SECRETS:
        assert secret not in stored
        assert secret not in audits
        assert secret not in canonical_json(ticket)
