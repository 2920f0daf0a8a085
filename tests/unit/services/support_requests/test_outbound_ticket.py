"""The ticket sent to the desk is built only from the stored request, redacted."""

from __future__ import annotations

import json

from support_app.models import SupportRequest
from support_app.services.support_requests.submission import SUBJECT_MAX, outbound_ticket

REFERENCE = "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C"


def _request(**overrides: object) -> SupportRequest:
    values: dict[str, object] = {
        "workspace_id": 1,
        "tenant_id": 2,
        "reference": REFERENCE,
        "primary_context_type": "operation_run",
        "operation_run_id": 42,
        "severity": "blocking",
        "summary": "Restore stuck",
        "reproduction_notes": "Ran it with password=hunter22 as documented",
        "contact_name": "Olivia",
        "contact_email": "olivia@contoso.example",
        "created_by_user_id": 3,
        "attachment_mode": "canonical_context_only",
        "context_envelope": {"schema_version": 1, "primary_context": {"type": "operation_run"}},
    }
    values.update(overrides)
    return SupportRequest(**values)


def test_ticket_carries_reference_context_and_redacted_text() -> None:
    ticket = outbound_ticket(_request())
    assert ticket.support_reference == REFERENCE
    assert ticket.severity == "blocking"
    assert ticket.subject == f"[{REFERENCE}] Restore stuck"
    assert "Context: operation_run #42" in ticket.body
    assert "hunter22" not in ticket.body and "password=[redacted:secret-key]" in ticket.body
    assert "Contact: Olivia olivia@contoso.example" in ticket.body
    envelope_text = ticket.body.split("Context envelope (redacted):\n", 1)[1]
    assert json.loads(envelope_text) == _request().context_envelope
    assert ticket.tags == ("support_request", "context_operation_run", "severity_blocking")


def test_subject_is_bounded_and_optional_parts_are_left_out() -> None:
    ticket = outbound_ticket(
        _request(summary="x" * 200, reproduction_notes=None, contact_name=None, contact_email=None)
    )
    assert len(ticket.subject) == SUBJECT_MAX and ticket.subject.endswith("…")
    assert "Reproduction notes" not in ticket.body and "Contact:" not in ticket.body
