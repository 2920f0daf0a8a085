"""``ExternalSupportDeskHandoffService``: the one seam between support requests and the desk.

Two jobs, both for the one configured desk (no registry, no second provider):

* **create** a ticket and turn whatever happens into a ``HandoffOutcome``. Desk
  problems never raise: the internal request is already committed, and the caller
  must be able to store a failure. Failure summaries are persisted and shown, so
  they are one English line, bounded, and built only from our own words plus
  values we have checked (an integer status, sanitised field names, the SR
  reference) - never the token, the e-mail or anything the desk sent back;
* **normalise a link** to a ticket that already exists, with field-level i18n
  error keys and no outbound call at all.

Link references: a purely numeric reference (``123`` or ``#123``) is the desk's
ticket number and is stored as ``#123``. Other keys (``INC-2024/77``) are kept as
typed after trimming, because they follow someone else's convention; they must
match ``_REFERENCE`` so the stored value is safe to show anywhere.
"""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from support_app.models.support_request import (
    EXTERNAL_REFERENCE_MAX,
    EXTERNAL_URL_MAX,
    FAILURE_SUMMARY_MAX,
)
from support_app.services.redaction import redact_text
from support_app.services.support_desk import client
from support_app.services.support_desk.contract import (
    HandoffOutcome,
    LinkedTicket,
    LinkValidationError,
    OutboundTicket,
)
from support_app.settings import SupportDeskTarget, get_settings

DEFAULT_DEADLINE_SECONDS = 5.0

_REFERENCE = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9._/-]*")
_NUMERIC_REFERENCE = re.compile(r"#?([0-9]+)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LOOPBACK_NAMES = frozenset({"localhost"})
_MAX_TICKET_ID = 2**63 - 1  # the desk's ids are 64-bit integers

_UNSAFE_FIELD_CHARS = re.compile(r"[^a-z0-9_.]+")
_FIELD_NAME_MAX = 32
_FIELDS_SHOWN_MAX = 5
_SUPPORT_REFERENCE_MAX = 40

_DESK = "The external support desk"
_MAYBE_CREATED = "the outcome is unknown and the desk may already hold a ticket with external id"


class ExternalSupportDeskHandoffService:
    """Creates tickets in, or validates links to, the one configured external desk."""

    PRIORITY_FOR_SEVERITY = {"low": "low", "normal": "normal", "high": "high", "blocking": "urgent"}

    def __init__(
        self,
        target: SupportDeskTarget | None,
        *,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._target = target
        self._deadline = deadline_seconds
        self._transport = transport

    @classmethod
    def from_settings(cls) -> ExternalSupportDeskHandoffService:
        return cls(get_settings().support_desk)

    @property
    def available(self) -> bool:
        """Whether "create" can be offered; link mode works either way."""
        return self._target is not None

    async def create_ticket(self, ticket: OutboundTicket) -> HandoffOutcome:
        """One create call within the deadline; every desk problem becomes a failure outcome."""
        if self._target is None:
            return _failure(
                "unavailable", "No external support desk is configured; no ticket was created."
            )
        reference = _safe_support_reference(ticket.support_reference)
        priority = self.PRIORITY_FOR_SEVERITY[ticket.severity]
        try:
            reply = await client.create_ticket(
                self._target,
                ticket,
                priority,
                deadline_seconds=self._deadline,
                transport=self._transport,
            )
        except (TimeoutError, httpx.TimeoutException):
            return _failure(
                "timeout",
                f"{_DESK} did not answer within {self._deadline:g} seconds;"
                f" {_MAYBE_CREATED} {reference}.",
            )
        except httpx.ConnectError as error:
            if _caused_by_tls(error):
                return _failure(
                    "tls",
                    "The secure connection to the external support desk failed"
                    " (certificate or TLS handshake); no ticket was created.",
                )
            return _failure(
                "connection",
                "Could not connect to the external support desk (refused, host not found"
                " or unreachable); no ticket was created.",
            )
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            return _failure(
                "connection",
                f"{_DESK} closed the connection before answering; {_MAYBE_CREATED} {reference}.",
            )
        except (httpx.HTTPError, httpx.InvalidURL):
            return _failure(
                "connection",
                "The request could not be sent to the external support desk; check the"
                " configured desk URL. No ticket was created.",
            )
        return _outcome(reply, reference, self._target.base_url)

    def normalise_link(self, reference: str, url: str | None) -> LinkedTicket:
        """The validated link, or ``LinkValidationError`` naming every field at fault."""
        errors: dict[str, str] = {}
        normalised_reference, reference_error = _normalise_reference(reference)
        if reference_error:
            errors["external_reference"] = reference_error
        normalised_url, url_error = self._normalise_url(url)
        if url_error:
            errors["external_url"] = url_error
        if errors:
            raise LinkValidationError(errors=errors)
        return LinkedTicket(external_reference=normalised_reference, external_url=normalised_url)

    def _normalise_url(self, url: str | None) -> tuple[str | None, str | None]:
        """(normalised URL or None, i18n error key or None)."""
        url = (url or "").strip()
        if not url:
            return None, None
        if len(url) > EXTERNAL_URL_MAX:
            return None, "handoff.error.url_too_long"
        scheme_match = _SCHEME.match(url)
        if scheme_match is None or scheme_match.group(1).lower() not in ("https", "http"):
            return None, "handoff.error.url_scheme"
        if not all("!" <= char <= "~" for char in url):  # printable ASCII, no whitespace
            return None, "handoff.error.url_invalid"
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            port = parts.port
        except ValueError:
            return None, "handoff.error.url_invalid"
        scheme = parts.scheme.lower()
        if not host:
            return None, "handoff.error.url_invalid"
        if "@" in parts.netloc:
            return None, "handoff.error.url_credentials"
        if scheme == "http" and not _is_loopback(host):
            return None, "handoff.error.url_scheme"
        if self._target is not None and host != urlsplit(self._target.base_url).hostname:
            return None, "handoff.error.url_host"
        return _rebuild(parts, scheme, host, port), None


def _outcome(reply: client.DeskReply, reference: str, base_url: str) -> HandoffOutcome:
    """What one desk answer means; only 200/201 with an integer ticket id is success."""
    status = reply.status
    if 300 <= status < 400:
        return _failure(
            "redirect",
            f"{_DESK} answered with a redirect (HTTP {status}) to another location;"
            " the request was not followed and no ticket was created.",
        )
    if status == 401:
        return _failure(
            "http_401",
            f"{_DESK} rejected the API credentials (HTTP 401); check the configured"
            " e-mail and API token.",
        )
    if status == 403:
        return _failure(
            "http_403",
            f"{_DESK} refused the request (HTTP 403); the API user may not create tickets.",
        )
    if status == 422:
        return _failure(
            "http_422",
            f"{_DESK} rejected the ticket as invalid (HTTP 422); fields:"
            f" {_invalid_fields(reply.body)}.",
        )
    if status == 429:
        return _failure(
            "http_429", f"{_DESK} is rate limiting requests (HTTP 429); try again later."
        )
    if 400 <= status < 500:
        return _failure("http_4xx", f"{_DESK} rejected the request (HTTP {status}).")
    if 500 <= status < 600:
        return _failure(
            "http_5xx", f"{_DESK} reported a server error (HTTP {status}); try again later."
        )
    if status in (200, 201) and reply.body is None:
        return _failure(
            "oversized",
            f"{_DESK} answered with an oversized response (over"
            f" {client.MAX_RESPONSE_BYTES // 1024} KiB); {_MAYBE_CREATED} {reference}.",
        )
    ticket_id = _ticket_id(reply.body) if status in (200, 201) else None
    if ticket_id is None:
        return _failure(
            "malformed",
            f"{_DESK} answered without a usable ticket id (HTTP {status});"
            f" {_MAYBE_CREATED} {reference}.",
        )
    return HandoffOutcome(
        external_reference=f"#{ticket_id}", external_url=f"{base_url}/agent/tickets/{ticket_id}"
    )


def _normalise_reference(reference: str) -> tuple[str, str | None]:
    """(normalised reference, i18n error key or None)."""
    value = reference.strip()
    if not value:
        return "", "handoff.error.reference_required"
    numeric = _NUMERIC_REFERENCE.fullmatch(value)
    if numeric:
        value = f"#{numeric.group(1)}"
    if len(value) > EXTERNAL_REFERENCE_MAX:
        return "", "handoff.error.reference_too_long"
    if not _REFERENCE.fullmatch(value):
        return "", "handoff.error.reference_invalid"
    return value, None


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rebuild(parts: SplitResult, scheme: str, host: str, port: int | None) -> str:
    """Scheme and host in lower case; path, query and fragment exactly as given."""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _failure(kind: str, summary: str) -> HandoffOutcome:
    # Summaries are stored and shown like every failure text, so they pass the same
    # redactor; the bound is the column's.
    summary = redact_text(" ".join(summary.split()))[:FAILURE_SUMMARY_MAX]
    return HandoffOutcome(failure_summary=summary, failure_kind=kind)


def _safe_support_reference(reference: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9-]", "", reference)[:_SUPPORT_REFERENCE_MAX]
    return safe or "(unknown)"


def _caused_by_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _json(body: bytes | None) -> object:
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:  # also UnicodeDecodeError
        return None


def _ticket_id(body: bytes | None) -> int | None:
    data = _json(body)
    ticket = data.get("ticket") if isinstance(data, dict) else None
    ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
    if type(ticket_id) is int and 0 < ticket_id <= _MAX_TICKET_ID:
        return ticket_id
    return None


def _invalid_fields(body: bytes | None) -> str:
    """The names (never the values) of the fields the desk's error details list."""
    data = _json(body)
    details = data.get("details") if isinstance(data, dict) else None
    if not isinstance(details, dict):
        return "not named"
    names = sorted(
        {
            name[:_FIELD_NAME_MAX]
            for key in details
            if (name := _UNSAFE_FIELD_CHARS.sub("_", str(key).lower()).strip("_."))
        }
    )
    if not names:
        return "not named"
    shown = ", ".join(names[:_FIELDS_SHOWN_MAX])
    more = len(names) - _FIELDS_SHOWN_MAX
    return f"{shown} and {more} more" if more > 0 else shown
