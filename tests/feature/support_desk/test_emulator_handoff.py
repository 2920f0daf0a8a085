"""The handoff over real HTTP against the bundled desk emulator on loopback.

The emulator runs in a background thread on a free port; fault modes are switched
through its control endpoint, exactly as the end-to-end lane does, so every way a
desk can fail is proven against real sockets and the real 5-second deadline.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from support_app.services.support_desk.contract import HandoffOutcome, OutboundTicket
from support_app.services.support_desk.emulator import (
    CONTROL_TOKEN_HEADER,
    FAULT_MODES,
    SLOW_SECONDS,
    DeskEmulatorServer,
    serving_in_background,
)
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.settings import SupportDeskTarget
from tests.conftest import run_coroutine

EMAIL = "agent@desk.example"
TOKEN = "feature-desk-token"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def desk() -> Iterator[DeskEmulatorServer]:
    with serving_in_background(email=EMAIL, token=TOKEN) as server:
        yield server


def handoff(desk: DeskEmulatorServer, token: str = TOKEN) -> ExternalSupportDeskHandoffService:
    return ExternalSupportDeskHandoffService(SupportDeskTarget(desk.base_url, EMAIL, token))


def outbound(
    reference: str, severity: str = "high", subject: str = "Backup failed"
) -> OutboundTicket:
    return OutboundTicket(
        support_reference=reference,
        subject=subject,
        body="Redacted context of the request",
        severity=severity,
        tags=("tenantpilot",),
    )


def create(svc: ExternalSupportDeskHandoffService, ticket: OutboundTicket) -> HandoffOutcome:
    return run_coroutine(svc.create_ticket(ticket))


def api(desk: DeskEmulatorServer, path: str, token: str = TOKEN) -> httpx.Response:
    return httpx.get(
        desk.base_url + path, auth=(f"{EMAIL}/token", token), trust_env=False, timeout=5
    )


def post_ticket(desk: DeskEmulatorServer, body: object, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return httpx.post(
        desk.base_url + "/api/v2/tickets",
        json=body,
        headers=headers,
        auth=(f"{EMAIL}/token", TOKEN),
        trust_env=False,
        timeout=5,
    )


def control(desk: DeskEmulatorServer) -> dict[str, str]:
    return {CONTROL_TOKEN_HEADER: desk.state.control_token}


def set_fault(desk: DeskEmulatorServer, mode: str) -> httpx.Response:
    return httpx.post(
        desk.base_url + "/__emulator/fault",
        json={"mode": mode},
        headers=control(desk),
        trust_env=False,
        timeout=5,
    )


def create_requests(desk: DeskEmulatorServer) -> int:
    response = httpx.get(
        desk.base_url + "/__emulator/requests", headers=control(desk), trust_env=False
    )
    return response.json()["count"]


def test_create_returns_the_reference_and_the_agent_page(desk: DeskEmulatorServer) -> None:
    reference = "SR-01JS8R6W3Z9X4M2N5P7Q8T0V1A"
    outcome = create(handoff(desk), outbound(reference, severity="blocking"))

    assert outcome.succeeded, outcome.failure_summary
    ticket_id = int((outcome.external_reference or "").removeprefix("#"))
    assert outcome.external_url == f"{desk.base_url}/agent/tickets/{ticket_id}"
    stored = api(desk, f"/api/v2/tickets/{ticket_id}.json").json()["ticket"]
    assert stored["external_id"] == reference
    assert stored["priority"] == "urgent"
    assert stored["subject"] == "Backup failed"
    assert stored["url"] == f"{desk.base_url}/api/v2/tickets/{ticket_id}.json"
    assert api(desk, f"/api/v2/tickets/{ticket_id}").json()["ticket"]["id"] == ticket_id
    assert create_requests(desk) == 1


def test_the_same_idempotency_key_and_body_return_the_same_ticket(
    desk: DeskEmulatorServer,
) -> None:
    body = {"ticket": {"subject": "S", "comment": {"body": "B"}, "external_id": "SR-1"}}
    first = post_ticket(desk, body, key="support-request-SR-1")
    again = post_ticket(desk, body, key="support-request-SR-1")
    other = post_ticket(desk, body, key="support-request-SR-2")
    conflict = post_ticket(
        desk, {"ticket": {**body["ticket"], "subject": "T"}}, "support-request-SR-1"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.headers["x-idempotency-lookup"] == "miss"
    assert again.headers["x-idempotency-lookup"] == "hit"
    assert again.json()["ticket"]["id"] == first.json()["ticket"]["id"]
    assert other.json()["ticket"]["id"] != first.json()["ticket"]["id"]
    assert conflict.status_code == 400


def test_retrying_one_support_request_does_not_open_a_second_ticket(
    desk: DeskEmulatorServer,
) -> None:
    svc = handoff(desk)
    ticket = outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1B")
    first, again = create(svc, ticket), create(svc, ticket)
    assert first.external_reference == again.external_reference
    listed = api(desk, "/api/v2/tickets?external_id=SR-01JS8R6W3Z9X4M2N5P7Q8T0V1B").json()
    assert listed["count"] == 1


def test_tickets_can_be_listed_by_external_id(desk: DeskEmulatorServer) -> None:
    svc = handoff(desk)
    create(svc, outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1C"))
    create(svc, outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1D"))

    listed = api(desk, "/api/v2/tickets?external_id=SR-01JS8R6W3Z9X4M2N5P7Q8T0V1D").json()
    assert listed["count"] == 1
    assert [t["external_id"] for t in listed["tickets"]] == ["SR-01JS8R6W3Z9X4M2N5P7Q8T0V1D"]
    assert api(desk, "/api/v2/tickets?external_id=SR-NONE").json() == {"tickets": [], "count": 0}
    assert api(desk, "/api/v2/tickets").json()["count"] == 2
    assert api(desk, "/api/v2/tickets/999").status_code == 404


def test_a_wrong_token_is_refused_with_401(desk: DeskEmulatorServer) -> None:
    outcome = create(handoff(desk, token="wrong-token"), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1E"))
    assert outcome.failure_kind == "http_401"
    assert "wrong-token" not in (outcome.failure_summary or "")
    assert api(desk, "/api/v2/tickets", token="wrong-token").status_code == 401
    assert api(desk, "/api/v2/tickets").json()["count"] == 0


@pytest.mark.parametrize(
    ("ticket", "field"),
    [
        ({"comment": {"body": "B"}}, "subject"),
        ({"subject": "S"}, "comment"),
        ({"subject": "S", "comment": {"body": "B"}, "priority": "critical"}, "priority"),
    ],
)
def test_invalid_tickets_get_422_with_field_details(
    desk: DeskEmulatorServer, ticket: dict[str, object], field: str
) -> None:
    response = post_ticket(desk, {"ticket": ticket})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "RecordInvalid"
    assert list(body["details"]) == [field]


FAULT_KINDS = {
    "http_401": "http_401",
    "http_422": "http_422",
    "http_429": "http_429",
    "http_500": "http_5xx",
    "malformed": "malformed",
    "oversized": "oversized",
    "redirect": "redirect",
    "reset": "connection_closed",
    "hang": "timeout",
    "drip": "timeout",
}


def test_every_fault_mode_is_covered() -> None:
    assert set(FAULT_KINDS) == set(FAULT_MODES) - {"none", "slow"}  # slow: below


def test_a_slow_desk_answers_within_the_deadline_and_the_ticket_is_created(
    desk: DeskEmulatorServer,
) -> None:
    set_fault(desk, "slow")
    started = time.monotonic()
    outcome = create(handoff(desk), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1H"))
    assert outcome.succeeded, outcome.failure_summary
    assert SLOW_SECONDS <= time.monotonic() - started < 5.0


@pytest.mark.parametrize("mode", list(FAULT_KINDS))
def test_every_fault_mode_becomes_its_failure_kind_within_the_deadline(
    desk: DeskEmulatorServer, mode: str
) -> None:
    assert set_fault(desk, mode).json() == {"mode": mode}
    reference = "SR-01JS8R6W3Z9X4M2N5P7Q8T0V1F"

    started = time.monotonic()
    outcome = create(handoff(desk), outbound(reference))  # the default 5.0 s deadline
    elapsed = time.monotonic() - started

    assert outcome.failure_kind == FAULT_KINDS[mode], outcome.failure_summary
    assert elapsed <= 5.0 + 0.5
    summary = outcome.failure_summary or ""
    assert 0 < len(summary) <= 300 and "\n" not in summary
    assert TOKEN not in summary and EMAIL not in summary
    assert "elsewhere.example" not in summary
    if mode in ("hang", "drip", "malformed", "oversized", "reset"):
        assert reference in summary  # the desk may hold a ticket after all
    assert create_requests(desk) == 1


def test_the_fault_can_be_switched_back_and_unknown_modes_are_refused(
    desk: DeskEmulatorServer,
) -> None:
    assert set_fault(desk, "http_500").status_code == 200
    assert set_fault(desk, "no-such-mode").status_code == 400
    assert set_fault(desk, "none").status_code == 200
    assert create(handoff(desk), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1G")).succeeded


def test_a_desk_that_is_not_listening_is_a_connection_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        target = SupportDeskTarget(f"http://127.0.0.1:{port}", EMAIL, TOKEN)
        outcome = create(
            ExternalSupportDeskHandoffService(target), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1H")
        )
    assert outcome.failure_kind == "connection_refused"


def test_linking_makes_no_outbound_request(desk: DeskEmulatorServer) -> None:
    linked = handoff(desk).normalise_link("#12", f"{desk.base_url}/agent/tickets/12")
    assert linked.external_reference == "#12"
    assert create_requests(desk) == 0


def test_the_agent_page_renders_the_ticket_and_escapes_html(desk: DeskEmulatorServer) -> None:
    reference = "SR-01JS8R6W3Z9X4M2N5P7Q8T0V1J"
    subject = '<script>alert("x")</script> & <b>bold</b>'
    outcome = create(handoff(desk), outbound(reference, subject=subject))

    page = httpx.get(outcome.external_url or "", trust_env=False)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert reference in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page.text
    assert "<script" not in page.text and "<b>" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/agent/tickets/0", "/agent/tickets/424242"])
def test_an_unknown_ticket_page_answers_quickly_with_404(
    desk: DeskEmulatorServer, path: str
) -> None:
    started = time.monotonic()
    page = httpx.get(desk.base_url + path, trust_env=False, timeout=2)
    assert time.monotonic() - started < 1
    assert page.status_code == 404
    assert "not found" in page.text.lower()


def test_log_lines_never_carry_the_authorization_header(
    desk: DeskEmulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    create(handoff(desk), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1K"))
    api(desk, "/api/v2/tickets")
    log = capfd.readouterr().err
    assert "POST /api/v2/tickets" in log
    for secret in ("Authorization", "Basic ", TOKEN):
        assert secret not in log


def test_the_command_line_takes_fault_and_credentials_from_the_environment() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SUPPORT_DESK_EMULATOR_FAULT": "http_429",
        "SUPPORT_DESK_EMAIL": EMAIL,
        "SUPPORT_DESK_API_TOKEN": "env-token",
        "SUPPORT_DESK_EMULATOR_CONTROL_TOKEN": "env-control-token",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "support_app", "desk-emulator", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base_url + "/agent/tickets/0", trust_env=False, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        target = SupportDeskTarget(base_url, EMAIL, "env-token")
        svc = ExternalSupportDeskHandoffService(target)
        assert create(svc, outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1M")).failure_kind == "http_429"
        httpx.post(
            base_url + "/__emulator/fault",
            json={"mode": "none"},
            headers={CONTROL_TOKEN_HEADER: "env-control-token"},
            trust_env=False,
        )
        assert create(svc, outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1M")).succeeded
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_failed_tls_handshake_is_a_tls_failure(desk: DeskEmulatorServer) -> None:
    # The emulator speaks plain HTTP, so an https:// client cannot complete a handshake.
    target = SupportDeskTarget(desk.base_url.replace("http://", "https://"), EMAIL, TOKEN)
    outcome = create(
        ExternalSupportDeskHandoffService(target), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1N")
    )
    assert outcome.failure_kind == "tls"
    assert create_requests(desk) == 0


@pytest.mark.parametrize(
    ("token", "headers", "status"),
    [
        (None, {}, 403),  # no control token
        ("guess", {}, 403),
        # What a cross-site form can send: text/plain (and it could not add the header).
        ("own", {"Content-Type": "text/plain"}, 415),
        ("own", {"Host": "evil.example"}, 421),  # DNS rebinding
    ],
)
def test_the_control_endpoint_refuses_requests_without_token_json_or_own_host(
    desk: DeskEmulatorServer, token: str | None, headers: dict[str, str], status: int
) -> None:
    sent = {"Content-Type": "application/json", **headers}
    if token is not None:
        sent[CONTROL_TOKEN_HEADER] = desk.state.control_token if token == "own" else token
    response = httpx.post(
        desk.base_url + "/__emulator/fault",
        content='{"mode": "hang"}',
        headers=sent,
        trust_env=False,
    )
    assert response.status_code == status
    assert desk.state.fault == "none"
    assert httpx.get(desk.base_url + "/__emulator/requests", trust_env=False).status_code == 403
    assert set_fault(desk, "none").status_code == 200


def test_a_hanging_desk_is_cut_at_five_seconds_not_earlier_and_not_later(
    desk: DeskEmulatorServer,
) -> None:
    # Pins the deadline from both sides: a shorter one (1 s, 0.3 s) gives up on a desk
    # that is merely slow, a longer one keeps the operator waiting.
    set_fault(desk, "hang")
    svc = ExternalSupportDeskHandoffService(SupportDeskTarget(desk.base_url, EMAIL, TOKEN))

    started = time.monotonic()
    outcome = create(svc, outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1P"))
    elapsed = time.monotonic() - started

    assert 4.9 <= elapsed <= 5.5, f"{elapsed:.2f} s"
    assert outcome.failure_kind == "timeout"
    assert outcome.failure_params == {"seconds": 5, "reference": "SR-01JS8R6W3Z9X4M2N5P7Q8T0V1P"}
    assert "within 5 seconds" in (outcome.failure_summary or "")


def test_a_gzip_bomb_over_a_real_socket_is_cut_at_the_cap() -> None:
    # 64 MiB of JSON padding, about 64 KiB gzipped: small on the wire, huge inflated.
    bomb = gzip.compress(b'{"ticket": {"id": 1, "pad": "' + b" " * (64 * 1024 * 1024) + b'"}}')
    seen_encodings: list[str | None] = []

    class BombHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen_encodings.append(self.headers.get("Accept-Encoding"))
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")  # although we asked for identity
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), BombHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        target = SupportDeskTarget(f"http://127.0.0.1:{server.server_port}", EMAIL, TOKEN)
        tracemalloc.start()
        try:
            outcome = create(
                ExternalSupportDeskHandoffService(target), outbound("SR-01JS8R6W3Z9X4M2N5P7Q8T0V1Q")
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    assert outcome.failure_kind == "oversized"
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while reading a {len(bomb)}-byte body"
    assert seen_encodings == ["identity"]
