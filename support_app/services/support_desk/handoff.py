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

import json
import logging
import re
import ssl
import time
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from support_app import metrics
from support_app.i18n import failure_line
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
from support_app.settings import SupportDeskTarget, get_settings, is_loopback_host

DEFAULT_DEADLINE_SECONDS = 5.0

_REFERENCE = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9._/-]*")
_NUMERIC_REFERENCE = re.compile(r"#?([0-9]+)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_MAX_TICKET_ID = 2**63 - 1  # the desk's ids are 64-bit integers

_UNSAFE_FIELD_CHARS = re.compile(r"[^a-z0-9_.]+")
_FIELD_NAME_MAX = 32
_FIELDS_SHOWN_MAX = 5
_SUPPORT_REFERENCE_MAX = 40

logger = logging.getLogger(__name__)


class ExternalSupportDeskHandoffService:
    """Creates tickets in, or validates links to, the one configured external desk."""

    PRIORITY_FOR_SEVERITY = {"low": "low", "normal": "normal", "high": "high", "blocking": "urgent"}

    def __init__(
        self,
        target: SupportDeskTarget | None,
        *,
        deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        link_hosts: tuple[str, ...] = (),
    ) -> None:
        self._target = target
        self._deadline = deadline_seconds
        self._transport = transport
        self._link_hosts = link_hosts

    @classmethod
    def from_settings(cls) -> ExternalSupportDeskHandoffService:
        settings = get_settings()
        return cls(settings.support_desk, link_hosts=settings.support_desk_link_hosts)

    @property
    def available(self) -> bool:
        """Whether "create" can be offered; link mode works either way."""
        return self._target is not None

    @property
    def accepts_link_urls(self) -> bool:
        """Whether a link may carry a URL: only to the desk or a listed agent host.

        With neither configured there is no host a URL could be checked against, so
        only the reference is accepted (``handoff.hint.url_no_desk`` says why).
        """
        return self._target is not None or bool(self._link_hosts)

    async def create_ticket(self, ticket: OutboundTicket) -> HandoffOutcome:
        """One create call within the deadline; every problem becomes a failure outcome.

        Never raises (except cancellation): the internal request is already
        committed and its one finalisation must record *something*, so even an
        exception outside httpx's own ends as the ``unexpected`` outcome. Each call
        counts in ``/metrics`` by that outcome ("created" or the failure kind).
        """
        if self._target is None:
            return _failure("unavailable")
        started = time.perf_counter()
        outcome = await self._call(self._target, ticket)
        metrics.desk_call(outcome.failure_kind or "created", time.perf_counter() - started)
        return outcome

    async def _call(self, target: SupportDeskTarget, ticket: OutboundTicket) -> HandoffOutcome:
        reference = _safe_support_reference(ticket.support_reference)
        try:
            reply = await client.create_ticket(
                target,
                ticket,
                self.PRIORITY_FOR_SEVERITY[ticket.severity],
                deadline_seconds=self._deadline,
                transport=self._transport,
            )
            return _outcome(reply, reference, target.base_url)
        except (TimeoutError, httpx.TimeoutException):
            seconds = _seconds(self._deadline)
            return _failure("timeout", seconds=seconds, reference=reference)
        except httpx.ConnectError as error:
            if _caused_by_tls(error):
                return _failure("tls")
            return _failure("connection_refused")
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            return _failure("connection_closed", reference=reference)
        except (httpx.HTTPError, httpx.InvalidURL):
            return _failure("request_not_sent")
        except Exception as error:  # any other failure: see the docstring
            return unexpected_failure(ticket.support_reference, error)

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
        if not self.accepts_link_urls:
            return None, "handoff.error.url_no_desk"
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
        if scheme == "http" and not is_loopback_host(host):
            return None, "handoff.error.url_scheme"
        if not self._is_agent_origin(scheme, host, port):
            return None, "handoff.error.url_host"
        return _rebuild(parts, scheme, host, port), None

    def _is_agent_origin(self, scheme: str, host: str, port: int | None) -> bool:
        """The desk's own scheme, host and port, or a host in ``SUPPORT_DESK_LINK_HOSTS``."""
        effective_port = port or _DEFAULT_PORTS[scheme]
        if self._target is not None:
            desk = urlsplit(self._target.base_url)
            desk_scheme = desk.scheme.lower()
            desk_port = desk.port or _DEFAULT_PORTS[desk_scheme]
            if (scheme, host, effective_port) == (desk_scheme, desk.hostname, desk_port):
                return True
        return any(
            host == listed_host and effective_port == int(listed_port or _DEFAULT_PORTS[scheme])
            for listed_host, _, listed_port in (entry.partition(":") for entry in self._link_hosts)
        )


def unexpected_failure(support_reference: str, error: Exception) -> HandoffOutcome:
    """The outcome of a create interrupted by an exception outside httpx's own.

    Logged by type only: an exception's text may quote what it was handling.
    """
    logger.error("Support-desk create failed unexpectedly: %s", type(error).__name__)
    reference = _safe_support_reference(support_reference)
    return _failure("unexpected", reference=reference)


def app_stopped_failure(support_reference: str) -> HandoffOutcome:
    """The outcome of a create whose process stopped before the desk answered.

    Recorded by the stale-handoff sweep: the call may have reached the desk, so the
    summary names the SR reference an agent can search for.
    """
    reference = _safe_support_reference(support_reference)
    return _failure("app_stopped", reference=reference)


def outcome_not_recorded_failure(support_reference: str) -> HandoffOutcome:
    """The outcome of a create whose answer was never recorded while the app ran on.

    Recorded by a periodic sweep (not at start-up): the process that made the call
    may have stopped, or could not reach the database to record the answer; either
    way the call may have reached the desk.
    """
    reference = _safe_support_reference(support_reference)
    return _failure("outcome_not_recorded", reference=reference)


def _outcome(reply: client.DeskReply, reference: str, base_url: str) -> HandoffOutcome:
    """What one desk answer means; only 200/201 with an integer ticket id is success."""
    status = reply.status
    if 300 <= status < 400:
        return _failure("redirect", status=status)
    if status == 401:
        return _failure("http_401")
    if status == 403:
        return _failure("http_403")
    if status == 422:
        fields = _fields_param(_invalid_fields(reply.body))
        return _failure("http_422", fields=fields)
    if status == 429:
        return _failure("http_429")
    if 400 <= status < 500:
        return _failure("http_4xx", status=status)
    if 500 <= status < 600:
        return _failure("http_5xx", status=status)
    if status in (200, 201) and reply.body is None:
        kib = client.MAX_RESPONSE_BYTES // 1024
        return _failure("oversized", kib=kib, reference=reference)
    ticket_id = _ticket_id(reply.body) if status in (200, 201) else None
    if ticket_id is None:
        return _failure("malformed", status=status, reference=reference)
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


def _rebuild(parts: SplitResult, scheme: str, host: str, port: int | None) -> str:
    """Scheme and host in lower case; path, query and fragment exactly as given."""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _failure(kind: str, **params: str | int) -> HandoffOutcome:
    """A failure outcome whose stored line is the catalog's English entry for ``kind``.

    The line is stored and shown like every failure text, so it passes the same
    redactor and the column's bound. Params are our own values (ints, the sanitised
    SR reference, sanitised field names), safe to render in any language.
    """
    line = failure_line("en", kind, params)
    if line is None:
        raise KeyError(f"no catalog entry renders handoff failure {kind!r} with {sorted(params)}")
    summary = redact_text(" ".join(line.split()))[:FAILURE_SUMMARY_MAX]
    return HandoffOutcome(failure_summary=summary, failure_kind=kind, failure_params=params)


def _seconds(deadline: float) -> int | str:
    """The deadline as the reader sees it: ``5``, or ``0.05`` for a fraction."""
    return int(deadline) if deadline == int(deadline) else f"{deadline:g}"


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


def _invalid_fields(body: bytes | None) -> list[str]:
    """The sanitised names (never the values) of the fields the desk's error details list."""
    data = _json(body)
    details = data.get("details") if isinstance(data, dict) else None
    if not isinstance(details, dict):
        return []
    return sorted(
        {
            name[:_FIELD_NAME_MAX]
            for key in details
            if (name := _UNSAFE_FIELD_CHARS.sub("_", str(key).lower()).strip("_."))
        }
    )


def _fields_param(names: list[str]) -> str:
    """The same names for any language: ``a, b, c, d, e +45``; "" when none were named."""
    shown = ", ".join(names[:_FIELDS_SHOWN_MAX])
    more = len(names) - _FIELDS_SHOWN_MAX
    return f"{shown} +{more}" if more > 0 else shown
