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


FailureParams = dict[str, str | int]


@dataclass(frozen=True)
class HandoffOutcome:
    """Result of one create attempt. Exactly one of ticket / failure_summary is set.

    A failure carries its ``failure_kind`` and the few safe values its sentence needs
    (``failure_params``: the deadline in seconds, an HTTP status, sanitised field
    names, the SR reference), so a reader's language can render it from the catalog
    (``handoff.failure.<kind>``); ``failure_summary`` is the stored English line.
    """

    external_reference: str | None = None  # e.g. "#123"
    external_url: str | None = None  # agent-facing web URL, never the API URL
    failure_summary: str | None = None  # one line, bounded, secret-free (English)
    failure_kind: str | None = None  # machine-readable: timeout, connection_refused, ...
    failure_params: FailureParams = field(default_factory=dict)

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
