"""Form validation: every bad input gets its own field error, good input is cleaned."""

from __future__ import annotations

import pytest

from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import (
    SupportRequestForm,
    SupportRequestValidationError,
    validate_support_request,
)
from support_app.settings import SupportDeskTarget

NO_DESK = ExternalSupportDeskHandoffService(None)
DESK = ExternalSupportDeskHandoffService(
    SupportDeskTarget("https://desk.example.com", "agent@desk.example", "tok")
)


def _form(**overrides: object) -> SupportRequestForm:
    values: dict[str, object] = {"severity": "high", "summary": "Backups fail"}
    values.update(overrides)
    return SupportRequestForm(**values)


def _errors(form: SupportRequestForm, desk=NO_DESK) -> dict[str, str]:
    with pytest.raises(SupportRequestValidationError) as caught:
        validate_support_request(form, desk)
    return caught.value.errors


def test_valid_form_is_trimmed_and_empty_optionals_become_none() -> None:
    clean = validate_support_request(
        _form(summary="  Backups fail  ", reproduction_notes="  ", contact_email=" a@b.example "),
        NO_DESK,
    )
    assert clean.summary == "Backups fail"
    assert clean.reproduction_notes is None
    assert clean.contact_name is None
    assert clean.contact_email == "a@b.example"
    assert clean.handoff_mode == "internal_only"
    assert clean.linked_ticket is None


def test_notes_keep_line_breaks_and_tabs() -> None:
    clean = validate_support_request(_form(reproduction_notes="1. open\n2.\tclick"), NO_DESK)
    assert clean.reproduction_notes == "1. open\n2.\tclick"


@pytest.mark.parametrize(
    ("overrides", "field", "key"),
    [
        ({"summary": ""}, "summary", "support_request.error.summary_required"),
        ({"summary": " \t \n "}, "summary", "support_request.error.summary_required"),
        ({"summary": None}, "summary", "support_request.error.summary_required"),
        ({"summary": "x" * 201}, "summary", "support_request.error.summary_too_long"),
        ({"summary": ["a"]}, "summary", "support_request.error.invalid"),
        ({"summary": "a\x00b"}, "summary", "support_request.error.control_characters"),
        ({"summary": "line\nbreak"}, "summary", "support_request.error.control_characters"),
        ({"summary": "evil\u202etxt"}, "summary", "support_request.error.control_characters"),
        ({"severity": ""}, "severity", "support_request.error.severity_required"),
        ({"severity": "critical"}, "severity", "support_request.error.severity_invalid"),
        ({"severity": 3}, "severity", "support_request.error.invalid"),
        ({"severity": ["high"]}, "severity", "support_request.error.invalid"),
        ({"summary": {"x": "y"}}, "summary", "support_request.error.invalid"),
        ({"summary": 42}, "summary", "support_request.error.invalid"),
        ({"summary": True}, "summary", "support_request.error.invalid"),
        ({"reproduction_notes": ["a"]}, "reproduction_notes", "support_request.error.invalid"),
        ({"contact_name": {"a": 1}}, "contact_name", "support_request.error.invalid"),
        ({"contact_email": 1.5}, "contact_email", "support_request.error.invalid"),
        (
            {"reproduction_notes": "x" * 5001},
            "reproduction_notes",
            "support_request.error.reproduction_notes_too_long",
        ),
        (
            {"reproduction_notes": "ok\x1b[31m"},
            "reproduction_notes",
            "support_request.error.control_characters",
        ),
        (
            {"contact_name": "x" * 201},
            "contact_name",
            "support_request.error.contact_name_too_long",
        ),
        (
            {"contact_email": "not-an-email"},
            "contact_email",
            "support_request.error.contact_email_invalid",
        ),
        (
            {"contact_email": "a b@example.com"},
            "contact_email",
            "support_request.error.contact_email_invalid",
        ),
        (
            {"contact_email": "name@localhost"},
            "contact_email",
            "support_request.error.contact_email_invalid",
        ),
        (
            {"contact_email": "a@" + "b" * 250 + ".com"},
            "contact_email",
            "support_request.error.contact_email_too_long",
        ),
        (
            {"handoff_mode": "email_it"},
            "handoff_mode",
            "support_request.error.handoff_mode_invalid",
        ),
        (
            {"handoff_mode": "create_external_ticket"},
            "handoff_mode",
            "support_request.error.create_unavailable",
        ),
    ],
)
def test_bad_input_gets_a_field_error(overrides: dict, field: str, key: str) -> None:
    assert _errors(_form(**overrides))[field] == key


def test_all_field_errors_are_reported_together() -> None:
    errors = _errors(SupportRequestForm(severity="nope", summary="", contact_email="x@"))
    assert set(errors) == {"severity", "summary", "contact_email"}


def test_create_is_accepted_when_a_desk_is_configured() -> None:
    clean = validate_support_request(_form(handoff_mode="create_external_ticket"), DESK)
    assert clean.handoff_mode == "create_external_ticket"


def test_link_mode_normalises_the_reference_and_reports_link_errors_per_field() -> None:
    clean = validate_support_request(
        _form(handoff_mode="link_existing_ticket", external_reference=" 123 "), DESK
    )
    assert clean.linked_ticket is not None
    assert clean.linked_ticket.external_reference == "#123"
    errors = _errors(
        _form(
            handoff_mode="link_existing_ticket",
            external_reference="",
            external_url="javascript:alert(1)",
        ),
        DESK,
    )
    assert set(errors) == {"external_reference", "external_url"}


@pytest.mark.parametrize("bad", [{"x": "y"}, ["#1"], 123])
def test_link_fields_that_are_not_text_get_a_field_error_not_a_conversion(bad: object) -> None:
    errors = _errors(
        _form(handoff_mode="link_existing_ticket", external_reference=bad, external_url=bad), DESK
    )
    assert errors == {
        "external_reference": "support_request.error.invalid",
        "external_url": "support_request.error.invalid",
    }
