"""The "Request support" form and its validation, independent of any UI.

Everything here arrives from a browser, so nothing is assumed: every field is
type-checked (a value that is not text is an error, never converted to text),
trimmed, bounded and scanned for control characters, and every problem is reported
per field as an i18n key the dialog shows next to the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from support_app.models.support_request import (
    CONTACT_EMAIL_MAX,
    CONTACT_NAME_MAX,
    HANDOFF_MODES,
    NOTES_MAX,
    SEVERITIES,
    SUMMARY_MAX,
)
from support_app.services.support_desk.contract import LinkedTicket, LinkValidationError
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService

INTERNAL_ONLY, CREATE_EXTERNAL_TICKET, LINK_EXISTING_TICKET = HANDOFF_MODES

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
# Bidirectional overrides can make a stored text read differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOTES_WHITESPACE = frozenset("\n\r\t")
INVALID = "support_request.error.invalid"


class SupportRequestValidationError(ValueError):
    """The form is not acceptable; ``errors`` maps field name → i18n key."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SupportRequestForm:
    """Raw values as submitted (untrusted)."""

    severity: object = ""
    summary: object = ""
    reproduction_notes: object = ""
    contact_name: object = ""
    contact_email: object = ""
    handoff_mode: object = INTERNAL_ONLY
    external_reference: object = ""
    external_url: object = ""


@dataclass(frozen=True)
class ValidatedSupportRequest:
    severity: str
    summary: str
    reproduction_notes: str | None
    contact_name: str | None
    contact_email: str | None
    handoff_mode: str
    linked_ticket: LinkedTicket | None = None


def has_control_characters(text: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _BIDI_CONTROLS
        for ch in text
    )


@dataclass
class _Checker:
    errors: dict[str, str] = field(default_factory=dict)

    def text(
        self,
        name: str,
        value: object,
        *,
        max_length: int,
        required: bool = False,
        allowed: frozenset[str] = frozenset(),
    ) -> str | None:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors[name] = INVALID
            return None
        value = value.strip()
        if not value:
            if required:
                self.errors[name] = f"support_request.error.{name}_required"
            return None
        if len(value) > max_length:
            self.errors[name] = f"support_request.error.{name}_too_long"
        elif has_control_characters(value, allowed=allowed):
            self.errors[name] = "support_request.error.control_characters"
        return value


def validate_support_request(
    form: SupportRequestForm, handoff: ExternalSupportDeskHandoffService
) -> ValidatedSupportRequest:
    """The cleaned request, or ``SupportRequestValidationError`` with every field error."""
    check = _Checker()
    severity = "" if form.severity is None else form.severity
    if not isinstance(severity, str):
        check.errors["severity"] = INVALID
    elif not severity.strip():
        check.errors["severity"] = "support_request.error.severity_required"
    elif severity.strip() not in SEVERITIES:
        check.errors["severity"] = "support_request.error.severity_invalid"
    summary = check.text("summary", form.summary, max_length=SUMMARY_MAX, required=True)
    notes = check.text(
        "reproduction_notes",
        form.reproduction_notes,
        max_length=NOTES_MAX,
        allowed=_NOTES_WHITESPACE,
    )
    name = check.text("contact_name", form.contact_name, max_length=CONTACT_NAME_MAX)
    email = check.text("contact_email", form.contact_email, max_length=CONTACT_EMAIL_MAX)
    if email and "contact_email" not in check.errors and not _EMAIL.fullmatch(email):
        check.errors["contact_email"] = "support_request.error.contact_email_invalid"

    mode = form.handoff_mode if form.handoff_mode in HANDOFF_MODES else None
    linked: LinkedTicket | None = None
    if mode is None:
        check.errors["handoff_mode"] = "support_request.error.handoff_mode_invalid"
    elif mode == CREATE_EXTERNAL_TICKET and not handoff.available:
        check.errors["handoff_mode"] = "support_request.error.create_unavailable"
    elif mode == LINK_EXISTING_TICKET:
        reference = "" if form.external_reference is None else form.external_reference
        url = "" if form.external_url is None else form.external_url
        if not isinstance(reference, str):
            check.errors["external_reference"] = INVALID
        if not isinstance(url, str):
            check.errors["external_url"] = INVALID
        if isinstance(reference, str) and isinstance(url, str):
            try:
                linked = handoff.normalise_link(reference, url)
            except LinkValidationError as error:
                check.errors.update(error.errors)

    if check.errors:
        raise SupportRequestValidationError(check.errors)
    assert summary is not None and mode is not None and isinstance(severity, str)
    return ValidatedSupportRequest(
        severity=severity.strip(),
        summary=summary,
        reproduction_notes=notes,
        contact_name=name,
        contact_email=email,
        handoff_mode=mode,
        linked_ticket=linked,
    )
