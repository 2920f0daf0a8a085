"""ExternalSupportDeskHandoffService against a mocked desk (httpx.MockTransport).

Covers what the wire carries, how every desk answer or transport failure becomes an
outcome, that failure summaries stay one bounded, secret-free line that never echoes
the desk, and how links to existing tickets are normalised or refused.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import ssl
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from support_app.i18n import catalog
from support_app.models.support_request import FAILURE_SUMMARY_MAX
from support_app.services.support_desk import client
from support_app.services.support_desk.contract import (
    HandoffOutcome,
    LinkValidationError,
    OutboundTicket,
)
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.settings import SupportDeskTarget, get_settings
from tests.conftest import run_coroutine

TOKEN = "tok-9f8e7d6c5b4a"
EMAIL = "api-user@desk.example"
TARGET = SupportDeskTarget(base_url="https://desk.example", email=EMAIL, api_token=TOKEN)
REFERENCE = "SR-01JS8R6W3Z9X4M2N5P7Q8T0V1W"
# Put into every response the desk sends in failure tests; must never reach a summary.
ECHO = "ECHOED-VALUE-31337"

Handler = Callable[[httpx.Request], httpx.Response]


def ticket(severity: str = "normal", reference: str = REFERENCE) -> OutboundTicket:
    return OutboundTicket(
        support_reference=reference,
        subject="Inventory sync throttled",
        body="Redacted context",
        severity=severity,
        tags=("tenantpilot", "support_request"),
    )


def service(handler: Handler, **kwargs: object) -> ExternalSupportDeskHandoffService:
    return ExternalSupportDeskHandoffService(
        TARGET, transport=httpx.MockTransport(handler), **kwargs
    )


def create(svc: ExternalSupportDeskHandoffService, outbound: OutboundTicket) -> HandoffOutcome:
    return run_coroutine(svc.create_ticket(outbound))


def created(ticket_id: object = 42) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        url = f"https://desk.example/api/v2/tickets/{ticket_id}.json"
        return httpx.Response(201, json={"ticket": {"id": ticket_id, "url": url}})

    return handler


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected outbound request to {request.url}")


def assert_safe_summary(outcome: HandoffOutcome) -> None:
    summary = outcome.failure_summary
    assert summary
    assert outcome.external_reference is None and outcome.external_url is None
    assert len(summary) <= FAILURE_SUMMARY_MAX
    assert "\n" not in summary and "\r" not in summary
    for secret in (TOKEN, EMAIL, base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()):
        assert secret not in summary
    assert ECHO.lower() not in summary.lower()
    assert "zendesk" not in summary.lower()


# --- the wire request ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("low", "low"), ("normal", "normal"), ("high", "high"), ("blocking", "urgent")],
)
def test_the_request_carries_the_ticket_auth_key_and_mapped_priority(
    severity: str, priority: str
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return created()(request)

    create(service(handler), ticket(severity))

    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://desk.example/api/v2/tickets"
    assert json.loads(request.content) == {
        "ticket": {
            "subject": "Inventory sync throttled",
            "comment": {"body": "Redacted context"},
            "priority": priority,
            "external_id": REFERENCE,
            "tags": ["tenantpilot", "support_request"],
        }
    }
    expected_auth = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected_auth}"
    assert request.headers["Idempotency-Key"] == f"support-request-{REFERENCE}"


def test_the_idempotency_key_is_the_same_for_every_attempt_of_one_request() -> None:
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        return created()(request)

    svc = service(handler)
    create(svc, ticket())
    create(svc, ticket())
    create(svc, ticket(reference="SR-01JS8R6W3Z9X4M2N5P7Q8T0V1X"))
    assert keys[0] == keys[1] != keys[2]


# --- availability ----------------------------------------------------------------------


def test_without_a_configured_desk_create_is_unavailable_and_nothing_is_sent() -> None:
    svc = ExternalSupportDeskHandoffService(None, transport=httpx.MockTransport(never_called))
    assert svc.available is False
    outcome = create(svc, ticket())
    assert outcome.failure_kind == "unavailable"
    assert not outcome.succeeded
    assert_safe_summary(outcome)


def test_from_settings_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SUPPORT_DESK_URL", "SUPPORT_DESK_EMAIL", "SUPPORT_DESK_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        assert ExternalSupportDeskHandoffService.from_settings().available is False
        monkeypatch.setenv("SUPPORT_DESK_URL", "https://desk.example/")
        monkeypatch.setenv("SUPPORT_DESK_EMAIL", EMAIL)
        monkeypatch.setenv("SUPPORT_DESK_API_TOKEN", TOKEN)
        get_settings.cache_clear()
        assert ExternalSupportDeskHandoffService.from_settings().available is True
    finally:
        get_settings.cache_clear()


# --- success ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [201, 200])
def test_success_maps_the_id_to_a_reference_and_the_agent_page(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        api_url = "https://desk.example/api/v2/tickets/4711.json"
        return httpx.Response(status, json={"ticket": {"id": 4711, "url": api_url}})

    outcome = create(service(handler), ticket())
    assert outcome.succeeded
    assert outcome.external_reference == "#4711"
    assert outcome.external_url == "https://desk.example/agent/tickets/4711"
    assert outcome.failure_kind is None


# --- failures --------------------------------------------------------------------------


def respond(status: int, **kwargs: object) -> Handler:
    return lambda request: httpx.Response(status, **kwargs)


def raise_(error: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


def tls_failure() -> Exception:
    try:
        raise ssl.SSLCertVerificationError(f"certificate verify failed {ECHO}")
    except ssl.SSLError as cause:
        try:
            raise httpx.ConnectError(f"[SSL] {ECHO}") from cause
        except httpx.ConnectError as error:
            return error


async def chunked(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 65536):
        yield b"x" * 65536


ECHO_JSON = {"error": ECHO, "description": ECHO, "details": {"base": [{"description": ECHO}]}}

FAILURES: dict[str, tuple[Handler, str]] = {
    "401": (respond(401, json={"error": ECHO}), "http_401"),
    "403": (respond(403, json={"error": ECHO}), "http_403"),
    "422": (respond(422, json=ECHO_JSON), "http_422"),
    "429": (respond(429, json={"error": ECHO}, headers={"Retry-After": "60"}), "http_429"),
    "400": (respond(400, json={"error": ECHO}), "http_4xx"),
    "404": (respond(404, text=ECHO), "http_4xx"),
    "500": (respond(500, text=ECHO), "http_5xx"),
    "503": (respond(503, json={"error": ECHO}), "http_5xx"),
    "not json": (respond(201, text=f"<html>{ECHO}</html>"), "malformed"),
    "no ticket": (respond(201, json={"result": ECHO}), "malformed"),
    "string id": (respond(201, json={"ticket": {"id": "42", "x": ECHO}}), "malformed"),
    "bool id": (respond(201, json={"ticket": {"id": True}}), "malformed"),
    "negative id": (respond(201, json={"ticket": {"id": -4}}), "malformed"),
    "huge id": (respond(201, json={"ticket": {"id": 10**40}}), "malformed"),
    "float id": (respond(201, json={"ticket": {"id": 4.5}}), "malformed"),
    "202": (respond(202, json={"ticket": {"id": 42}}), "malformed"),
    "oversized declared": (respond(201, content=b" " * (300 * 1024)), "oversized"),
    # A fresh stream per call: a generator can be read only once.
    "oversized streamed": (
        lambda request: httpx.Response(201, content=chunked(1024 * 1024)),
        "oversized",
    ),
    "302": (respond(302, headers={"Location": f"https://{ECHO}.example/x"}), "redirect"),
    "301": (respond(301, headers={"Location": f"https://{ECHO}.example/x"}), "redirect"),
    "307": (respond(307, headers={"Location": "https://desk.example/y"}), "redirect"),
    "refused": (raise_(httpx.ConnectError(f"refused {ECHO}")), "connection_refused"),
    "reset": (raise_(httpx.ReadError(f"reset {ECHO}")), "connection_closed"),
    "write failed": (raise_(httpx.WriteError(f"broken pipe {ECHO}")), "connection_closed"),
    "no answer": (raise_(httpx.RemoteProtocolError(f"closed {ECHO}")), "connection_closed"),
    "bad scheme": (raise_(httpx.UnsupportedProtocol(f"nope {ECHO}")), "request_not_sent"),
    "proxy": (raise_(httpx.ProxyError(f"proxy {ECHO}")), "request_not_sent"),
    "tls": (raise_(tls_failure()), "tls"),
    "read timeout": (raise_(httpx.ReadTimeout(f"slow {ECHO}")), "timeout"),
    "connect timeout": (raise_(httpx.ConnectTimeout(f"slow {ECHO}")), "timeout"),
    "runtime error": (raise_(RuntimeError(f"boom {ECHO}")), "unexpected"),
    "value error": (raise_(ValueError(f"bad {ECHO}")), "unexpected"),
    "os error": (raise_(OSError(f"disk {ECHO}")), "unexpected"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_every_failure_becomes_its_kind_with_a_safe_one_line_summary(case: str) -> None:
    handler, kind = FAILURES[case]
    outcome = create(service(handler), ticket())
    assert not outcome.succeeded
    assert outcome.failure_kind == kind
    assert_safe_summary(outcome)


# Contract 1 of the brief: every kind with exactly its parameters (safe values only).
EXPECTED_PARAMS: dict[str, dict[str, str | int]] = {
    "401": {},
    "403": {},
    "422": {"fields": "base"},
    "429": {},
    "400": {"status": 400},
    "404": {"status": 404},
    "500": {"status": 500},
    "503": {"status": 503},
    "not json": {"status": 201, "reference": REFERENCE},
    "202": {"status": 202, "reference": REFERENCE},
    "oversized declared": {"kib": 256, "reference": REFERENCE},
    "oversized streamed": {"kib": 256, "reference": REFERENCE},
    "302": {"status": 302},
    "307": {"status": 307},
    "refused": {},
    "reset": {"reference": REFERENCE},
    "no answer": {"reference": REFERENCE},
    "bad scheme": {},
    "tls": {},
    "read timeout": {"seconds": 5, "reference": REFERENCE},
    "runtime error": {"reference": REFERENCE},
}


@pytest.mark.parametrize("case", list(EXPECTED_PARAMS))
def test_every_failure_carries_exactly_its_safe_parameters(case: str) -> None:
    handler, kind = FAILURES[case]
    outcome = create(service(handler), ticket())
    assert (outcome.failure_kind, outcome.failure_params) == (kind, EXPECTED_PARAMS[case])
    for value in outcome.failure_params.values():
        assert ECHO not in str(value)


def test_an_unavailable_desk_has_no_parameters() -> None:
    outcome = create(ExternalSupportDeskHandoffService(None), ticket())
    assert (outcome.failure_kind, outcome.failure_params) == ("unavailable", {})


def test_a_fractional_deadline_is_kept_in_the_parameters() -> None:
    outcome = create(service(raise_(httpx.ReadTimeout("slow")), deadline_seconds=0.25), ticket())
    assert outcome.failure_params == {"seconds": "0.25", "reference": REFERENCE}


def test_422_fields_are_a_language_neutral_list_the_summary_shares() -> None:
    details = {f"f{i}": [] for i in range(7)}
    outcome = create(service(respond(422, json={"details": details})), ticket())
    assert outcome.failure_params == {"fields": "f0, f1, f2, f3, f4 +2"}
    assert "fields: f0, f1, f2, f3, f4 +2." in (outcome.failure_summary or "")
    unnamed = create(service(respond(422, text="nope")), ticket())
    assert unnamed.failure_params == {"fields": ""}


def test_an_exception_outside_httpx_is_logged_by_type_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcome = create(service(raise_(KeyError(f"{TOKEN} {ECHO}"))), ticket())
    assert outcome.failure_kind == "unexpected"
    assert REFERENCE in (outcome.failure_summary or "")  # the desk may hold a ticket
    assert_safe_summary(outcome)
    assert "KeyError" in caplog.text
    assert TOKEN not in caplog.text and ECHO not in caplog.text


def test_an_uncertain_outcome_names_the_support_reference() -> None:
    outcome = create(service(raise_(httpx.ReadTimeout("slow"))), ticket())
    assert "unknown" in (outcome.failure_summary or "")
    assert REFERENCE in (outcome.failure_summary or "")


def test_a_support_reference_cannot_smuggle_text_into_the_summary() -> None:
    hostile = "SR-1\nInjected: <b>" + "A" * 500
    outcome = create(service(raise_(httpx.ReadTimeout("slow"))), ticket(reference=hostile))
    assert_safe_summary(outcome)
    assert "<b>" not in (outcome.failure_summary or "")


def test_the_deadline_covers_a_desk_that_never_answers() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return created()(request)

    started = time.monotonic()
    outcome = create(service(handler, deadline_seconds=0.05), ticket())
    assert time.monotonic() - started < 1
    assert outcome.failure_kind == "timeout"
    assert "0.05 seconds" in (outcome.failure_summary or "")
    assert REFERENCE in (outcome.failure_summary or "")
    assert_safe_summary(outcome)


def test_the_deadline_covers_a_body_that_drips_in() -> None:
    async def drip() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" "
            await asyncio.sleep(0.05)

    started = time.monotonic()
    outcome = create(service(respond(201, content=drip()), deadline_seconds=0.2), ticket())
    assert time.monotonic() - started < 1
    assert outcome.failure_kind == "timeout"


def test_422_names_the_invalid_fields_and_never_their_values() -> None:
    details = {
        "priority": [{"description": f"Priority: {ECHO} is not valid"}],
        "Custom Field!": [{"description": ECHO}],
        "<script>": [{"description": ECHO}],
    }
    body = {"error": "RecordInvalid", "description": ECHO, "details": details}
    outcome = create(service(respond(422, json=body)), ticket())
    summary = outcome.failure_summary or ""
    assert outcome.failure_kind == "http_422"
    assert "priority" in summary and "custom_field" in summary and "script" in summary
    assert "<" not in summary and "!" not in summary
    assert_safe_summary(outcome)


def test_422_with_many_or_long_field_names_stays_bounded() -> None:
    details = {f"field_{i}_{'x' * 200}": [] for i in range(50)}
    outcome = create(service(respond(422, json={"details": details})), ticket())
    assert outcome.failure_kind == "http_422"
    assert "+45." in (outcome.failure_summary or "")
    assert_safe_summary(outcome)


def test_422_without_usable_details_says_the_fields_are_not_named() -> None:
    outcome = create(service(respond(422, text="nope")), ticket())
    assert outcome.failure_kind == "http_422"
    assert "not named" in (outcome.failure_summary or "")


# --- the deadline ----------------------------------------------------------------------


def test_the_service_gives_the_client_exactly_five_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deadlines: list[object] = []

    async def recording_client(*args: object, deadline_seconds: float, **kwargs: object):
        deadlines.append(deadline_seconds)
        return client.DeskReply(status=201, body=b'{"ticket": {"id": 1}}')

    monkeypatch.setattr(client, "create_ticket", recording_client)
    for name, value in (
        ("SUPPORT_DESK_URL", "https://desk.example"),
        ("SUPPORT_DESK_EMAIL", EMAIL),
        ("SUPPORT_DESK_API_TOKEN", TOKEN),
    ):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert create(ExternalSupportDeskHandoffService(TARGET), ticket()).succeeded
        assert create(ExternalSupportDeskHandoffService.from_settings(), ticket()).succeeded
    finally:
        get_settings.cache_clear()
    assert deadlines == [5.0, 5.0]
    assert all(type(d) is float for d in deadlines)


# --- response size: bytes on the wire and in memory ------------------------------------


async def stream_of(data: bytes, chunk: int = 16 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def encoded(status: int, data: bytes, encoding: str) -> Handler:
    """A streamed answer (never pre-read by httpx) with a Content-Encoding header."""
    return lambda request: httpx.Response(
        status, headers={"Content-Encoding": encoding}, content=stream_of(data)
    )


def test_the_request_asks_for_an_uncompressed_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return created()(request)

    create(service(handler), ticket())
    assert seen[0].headers["Accept-Encoding"] == "identity"


def test_a_gzip_bomb_is_cut_at_the_cap_without_inflating_in_memory() -> None:
    inflated = 64 * 1024 * 1024
    bomb = gzip.compress(b'{"ticket": {"id": 1, "pad": "' + b" " * inflated + b'"}}')
    assert len(bomb) < client.MAX_RESPONSE_BYTES  # small on the wire: only inflating is big

    tracemalloc.start()
    try:
        outcome = create(service(encoded(201, bomb, "gzip")), ticket())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.failure_kind == "oversized"
    assert outcome.failure_params == {"kib": 256, "reference": REFERENCE}
    assert peak < 4 * client.MAX_RESPONSE_BYTES + len(bomb) * 4, f"peak {peak} bytes"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
        ("GZIP ", gzip.compress),
    ],
)
def test_a_compressed_answer_within_the_cap_is_still_understood(
    encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = json.dumps({"ticket": {"id": 77}}).encode()
    outcome = create(service(encoded(201, compress(body), encoding)), ticket())
    assert outcome.external_reference == "#77"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("br", b"\x0b\x02\x80{}\x03"),
        ("gzip, gzip", gzip.compress(gzip.compress(b'{"ticket": {"id": 1}}'))),
        ("gzip", b"not gzip at all"),
        ("compress", b"..."),
    ],
    ids=["brotli", "stacked", "corrupt", "unknown"],
)
def test_an_encoding_we_cannot_decode_is_malformed(encoding: str, data: bytes) -> None:
    outcome = create(service(encoded(201, data, encoding)), ticket())
    assert outcome.failure_kind == "malformed"


def test_the_wire_cap_counts_compressed_bytes() -> None:
    noise = os.urandom(client.MAX_RESPONSE_BYTES + 1024)  # incompressible: gzip grows it
    outcome = create(service(encoded(201, gzip.compress(noise), "gzip")), ticket())
    assert outcome.failure_kind == "oversized"


# --- links to existing tickets ---------------------------------------------------------

NO_DESK = ExternalSupportDeskHandoffService(None, transport=httpx.MockTransport(never_called))
WITH_DESK = service(never_called)
LOOPBACK_DESK = ExternalSupportDeskHandoffService(
    SupportDeskTarget("http://127.0.0.1:8765", EMAIL, TOKEN),
    transport=httpx.MockTransport(never_called),
)
LINK_HOSTS = ExternalSupportDeskHandoffService(
    None, link_hosts=("help.example.org", "agents.example.com:8443", "localhost:8765")
)
DESK_AND_LINK_HOSTS = service(never_called, link_hosts=("help.example.org",))


def test_only_a_desk_or_listed_hosts_let_a_link_carry_a_url() -> None:
    assert WITH_DESK.accepts_link_urls and LINK_HOSTS.accepts_link_urls
    assert not NO_DESK.accepts_link_urls
    assert NO_DESK.normalise_link("#5", None).external_reference == "#5"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("123", "#123"),
        ("#123", "#123"),
        ("  4711 \t", "#4711"),
        ("INC-2024/77", "INC-2024/77"),
        ("#ops.case_9", "#ops.case_9"),
        ("1" * 63, "#" + "1" * 63),
        ("A" * 64, "A" * 64),
    ],
)
def test_references_are_normalised(given: str, stored: str) -> None:
    assert WITH_DESK.normalise_link(given, None).external_reference == stored


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("", "handoff.error.reference_required"),
        ("   ", "handoff.error.reference_required"),
        ("1" * 64, "handoff.error.reference_too_long"),
        ("#" + "1" * 64, "handoff.error.reference_too_long"),
        ("A" * 65, "handoff.error.reference_too_long"),
        ("#", "handoff.error.reference_invalid"),
        ("12\x003", "handoff.error.reference_invalid"),
        ("\x00123", "handoff.error.reference_invalid"),
        ("12\n3", "handoff.error.reference_invalid"),
        ("12 3", "handoff.error.reference_invalid"),
        ("<script>", "handoff.error.reference_invalid"),
        ("-123", "handoff.error.reference_invalid"),
        ("##123", "handoff.error.reference_invalid"),
        ("\uff14\uff17\uff11\uff11", "handoff.error.reference_invalid"),
    ],
)
def test_bad_references_are_refused(given: str, error: str) -> None:
    with pytest.raises(LinkValidationError) as refused:
        WITH_DESK.normalise_link(given, None)
    assert refused.value.errors == {"external_reference": error}


@pytest.mark.parametrize(
    ("svc", "given", "stored"),
    [
        (WITH_DESK, None, None),
        (WITH_DESK, "", None),
        (WITH_DESK, "   ", None),
        (
            WITH_DESK,
            " https://desk.example/agent/tickets/123 ",
            "https://desk.example/agent/tickets/123",
        ),
        (
            WITH_DESK,
            "HTTPS://Desk.Example/agent/tickets/1?x=1#c",
            "https://desk.example/agent/tickets/1?x=1#c",
        ),
        (NO_DESK, None, None),
        (NO_DESK, "  ", None),
        (WITH_DESK, "https://desk.example:443/a", "https://desk.example:443/a"),
        (
            LOOPBACK_DESK,
            "http://127.0.0.1:8765/agent/tickets/1",
            "http://127.0.0.1:8765/agent/tickets/1",
        ),
        (LINK_HOSTS, "https://help.example.org/tickets/9", "https://help.example.org/tickets/9"),
        (LINK_HOSTS, "https://HELP.example.org:443/t", "https://help.example.org:443/t"),
        (LINK_HOSTS, "https://agents.example.com:8443/t/1", "https://agents.example.com:8443/t/1"),
        (
            LINK_HOSTS,
            "http://localhost:8765/agent/tickets/1",
            "http://localhost:8765/agent/tickets/1",
        ),
        (
            DESK_AND_LINK_HOSTS,
            "https://desk.example/agent/tickets/2",
            "https://desk.example/agent/tickets/2",
        ),
        (DESK_AND_LINK_HOSTS, "https://help.example.org/t/2", "https://help.example.org/t/2"),
    ],
)
def test_urls_are_normalised(
    svc: ExternalSupportDeskHandoffService, given: str | None, stored: str | None
) -> None:
    assert svc.normalise_link("1", given).external_url == stored


@pytest.mark.parametrize(
    ("svc", "given", "error"),
    [
        (WITH_DESK, "javascript:alert(1)", "handoff.error.url_scheme"),
        (WITH_DESK, "JavaScript:alert(document.cookie)", "handoff.error.url_scheme"),
        (WITH_DESK, "data:text/html,<script>alert(1)</script>", "handoff.error.url_scheme"),
        (WITH_DESK, "data:text/html,<h1>a b</h1>", "handoff.error.url_scheme"),
        (WITH_DESK, "file:///etc/passwd", "handoff.error.url_scheme"),
        (WITH_DESK, "ftp://desk.example/ticket", "handoff.error.url_scheme"),
        (WITH_DESK, "//desk.example/agent/tickets/1", "handoff.error.url_scheme"),
        (WITH_DESK, "desk.example/agent/tickets/1", "handoff.error.url_scheme"),
        (WITH_DESK, "http://desk.example/agent/tickets/1", "handoff.error.url_scheme"),
        (LINK_HOSTS, "http://help.example.org/tickets/9", "handoff.error.url_scheme"),
        (LINK_HOSTS, "http://127.0.0.1.evil.example/x", "handoff.error.url_scheme"),
        (WITH_DESK, "https://user:pw@desk.example/", "handoff.error.url_credentials"),
        (WITH_DESK, "https://user@desk.example/", "handoff.error.url_credentials"),
        (WITH_DESK, "https://desk.example/" + "a" * 2048, "handoff.error.url_too_long"),
        (WITH_DESK, "https://desk.example/a\x00b", "handoff.error.url_invalid"),
        (WITH_DESK, "https://desk.example/a\nb", "handoff.error.url_invalid"),
        (WITH_DESK, "https://desk.example/a b", "handoff.error.url_invalid"),
        (WITH_DESK, "https://desk.example/ä", "handoff.error.url_invalid"),
        (WITH_DESK, "https:///agent/tickets/1", "handoff.error.url_invalid"),
        (WITH_DESK, "https://desk.example:99999/", "handoff.error.url_invalid"),
        (WITH_DESK, "https://[::1/", "handoff.error.url_invalid"),
        (WITH_DESK, "https://other.example/agent/tickets/1", "handoff.error.url_host"),
        (WITH_DESK, "https://desk.example.evil.example/", "handoff.error.url_host"),
        (WITH_DESK, "http://127.0.0.1/agent/tickets/1", "handoff.error.url_host"),
        # the desk's scheme, host and port, exactly
        (WITH_DESK, "https://desk.example:8443/agent/tickets/1", "handoff.error.url_host"),
        (LOOPBACK_DESK, "http://127.0.0.1:8766/agent/tickets/1", "handoff.error.url_host"),
        (LOOPBACK_DESK, "http://127.0.0.1/agent/tickets/1", "handoff.error.url_host"),
        (LOOPBACK_DESK, "https://127.0.0.1:8765/agent/tickets/1", "handoff.error.url_host"),
        (LOOPBACK_DESK, "http://localhost:8765/agent/tickets/1", "handoff.error.url_host"),
        # listed hosts: the host, and the port if the entry names one (else the default)
        (LINK_HOSTS, "https://help.example.org:8443/t", "handoff.error.url_host"),
        (LINK_HOSTS, "https://agents.example.com/t/1", "handoff.error.url_host"),
        (LINK_HOSTS, "https://sub.help.example.org/t", "handoff.error.url_host"),
        (LINK_HOSTS, "https://desk.example/agent/tickets/1", "handoff.error.url_host"),
        (LINK_HOSTS, "http://localhost:8766/agent/tickets/1", "handoff.error.url_host"),
        (DESK_AND_LINK_HOSTS, "https://other.example/t", "handoff.error.url_host"),
        # neither a desk nor listed hosts: only the reference is accepted
        (NO_DESK, "https://help.example.org/tickets/9", "handoff.error.url_no_desk"),
        (NO_DESK, "http://127.0.0.1:8765/agent/tickets/1", "handoff.error.url_no_desk"),
        (NO_DESK, "javascript:alert(1)", "handoff.error.url_no_desk"),
    ],
)
def test_bad_urls_are_refused(
    svc: ExternalSupportDeskHandoffService, given: str, error: str
) -> None:
    with pytest.raises(LinkValidationError) as refused:
        svc.normalise_link("123", given)
    assert refused.value.errors == {"external_url": error}


def test_both_fields_are_reported_at_once() -> None:
    with pytest.raises(LinkValidationError) as refused:
        WITH_DESK.normalise_link("", "javascript:alert(1)")
    assert refused.value.errors == {
        "external_reference": "handoff.error.reference_required",
        "external_url": "handoff.error.url_scheme",
    }


def test_every_error_key_is_in_the_catalog() -> None:
    keys = {
        "handoff.error.reference_required",
        "handoff.error.reference_too_long",
        "handoff.error.reference_invalid",
        "handoff.error.url_too_long",
        "handoff.error.url_invalid",
        "handoff.error.url_scheme",
        "handoff.error.url_credentials",
        "handoff.error.url_host",
        "handoff.error.url_no_desk",
        "handoff.hint.url_no_desk",
    }
    for locale in ("en", "de"):
        assert keys <= set(catalog(locale))
        assert not any("zendesk" in catalog(locale)[key].lower() for key in keys)
