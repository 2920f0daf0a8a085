"""What the support-request flow and the external support desk agree on.

The submission service (which decides and records) talks to
``ExternalSupportDeskHandoffService`` (which speaks to the one configured desk)
only through these types, so either side can be read and tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutboundTicket:
    """The ticket to create: built from the stored, already redacted request."""

    support_reference: str  # SR-<ULID>; sent as the desk's external_id
    subject: str
    body: str  # redacted text only, never secrets
    severity: str  # low | normal | high | blocking
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoffOutcome:
    """Result of one create attempt. Exactly one of ticket / failure_summary is set."""

    external_reference: str | None = None  # e.g. "#123"
    external_url: str | None = None  # agent-facing web URL, never the API URL
    failure_summary: str | None = None  # one line, bounded, secret-free (English)
    failure_kind: str | None = None  # machine-readable: timeout, refused, http_401, ...

    @property
    def succeeded(self) -> bool:
        return self.failure_summary is None


@dataclass(frozen=True)
class LinkedTicket:
    """A validated, normalised reference to a ticket that already exists."""

    external_reference: str  # normalised, e.g. "#123"
    external_url: str | None


@dataclass
class LinkValidationError(ValueError):
    """Field-level problems with a link: field name → i18n key of the message."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in self.errors.items())
