"""A local stand-in for the external support desk, speaking its Tickets API subset.

It lets development, demos and tests exercise the real wire path (HTTP, basic auth,
idempotency, the agent page the app links to) without a vendor account, and it can
misbehave on purpose: each fault mode reproduces one way a real desk fails, so the
handoff's failure handling is tested against real sockets, not only mocks.

Stdlib only, in-memory, one lock for all state (handlers run in threads). Faults
apply to ``POST /api/v2/tickets`` only and can be switched at runtime through
``POST /__emulator/fault``; ``GET /__emulator/requests`` counts create calls so a
test can prove that a path made none. Log lines carry the request line only, never
headers, so the Authorization value is never logged.

The control endpoints (``/__emulator/*``) need the control token in
``X-Emulator-Control-Token`` (and JSON for a POST), so a web page open in the same
browser cannot flip faults with a simple cross-site form post; and every request
must name the emulator's own address in ``Host``, which defeats DNS rebinding.
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import re
import secrets
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

FAULT_MODES = (
    "none",
    "slow",
    "hang",
    "drip",
    "http_401",
    "http_422",
    "http_429",
    "http_500",
    "malformed",
    "oversized",
    "redirect",
    "reset",
)
DEFAULT_EMAIL = "agent@desk.example"
DEFAULT_TOKEN = "local-emulator-token"
PRIORITIES = ("low", "normal", "high", "urgent")

TICKETS_PATH = "/api/v2/tickets"
_TICKET_PATH = re.compile(r"/api/v2/tickets/([0-9]{1,18})(?:\.json)?")
_AGENT_PATH = re.compile(r"/agent/tickets/([0-9]{1,18})")

HANG_SECONDS = 120.0  # far beyond the app's 5-second deadline
SLOW_SECONDS = 4.0  # within the app's 5-s deadline, yet past a drain's 2-s delay
DRIP_INTERVAL_SECONDS = 0.5
DRIP_BYTES = 240  # two minutes of dripping
OVERSIZED_BYTES = 4 * 1024 * 1024
MAX_REQUEST_BYTES = 1024 * 1024
REDIRECT_TARGET = "https://elsewhere.example/api/v2/tickets"
CONTROL_PATH = "/__emulator/"
CONTROL_TOKEN_HEADER = "X-Emulator-Control-Token"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different request body."""


class DeskState:
    """Tickets, idempotency keys, the fault mode and the create-call count."""

    def __init__(self, *, email: str, token: str, fault: str, control_token: str) -> None:
        credentials = base64.b64encode(f"{email}/token:{token}".encode()).decode()
        self.expected_authorization = f"Basic {credentials}"
        self.control_token = control_token
        self.stopping = threading.Event()  # wakes hanging and dripping handlers on close
        self._lock = threading.Lock()
        self._fault = fault
        self._tickets: dict[int, dict[str, Any]] = {}
        self._idempotency: dict[str, tuple[str, int]] = {}
        self._create_requests = 0

    @property
    def fault(self) -> str:
        with self._lock:
            return self._fault

    def set_fault(self, mode: str) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        with self._lock:
            self._fault = mode

    def count_create_request(self) -> None:
        with self._lock:
            self._create_requests += 1

    @property
    def create_requests(self) -> int:
        with self._lock:
            return self._create_requests

    def create(
        self, fields: dict[str, Any], *, key: str | None, fingerprint: str, base_url: str
    ) -> tuple[dict[str, Any], bool]:
        """(ticket, whether it was an idempotency hit)."""
        with self._lock:
            if key is not None and key in self._idempotency:
                known_fingerprint, ticket_id = self._idempotency[key]
                if known_fingerprint != fingerprint:
                    raise IdempotencyConflict(key)
                return dict(self._tickets[ticket_id]), True
            ticket_id = len(self._tickets) + 1
            ticket = {
                "id": ticket_id,
                "url": f"{base_url}{TICKETS_PATH}/{ticket_id}.json",
                **fields,
                "status": "new",
                "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            self._tickets[ticket_id] = ticket
            if key is not None:
                self._idempotency[key] = (fingerprint, ticket_id)
            return dict(ticket), False

    def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        with self._lock:
            found = self._tickets.get(ticket_id)
            return dict(found) if found else None

    def tickets(self, external_id: str | None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(t)
                for t in self._tickets.values()
                if external_id is None or t.get("external_id") == external_id
            ]


class DeskEmulatorServer(ThreadingHTTPServer):
    """The HTTP server; ``serve_forever`` it in a thread, ``shutdown`` + ``server_close``."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: DeskState, *, quiet: bool) -> None:
        self.state = state
        self.quiet = quiet
        super().__init__(address, _DeskHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def own_hosts(self) -> frozenset[str]:
        """``Host`` values that name this server (its address, or loopback names)."""
        host, port = self.server_address[:2]
        return frozenset(f"{name}:{port}" for name in (host, *_LOOPBACK_NAMES))

    def server_close(self) -> None:
        self.state.stopping.set()
        super().server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (the app's deadline, a reset) is expected here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    fault: str | None = None,
    email: str = DEFAULT_EMAIL,
    token: str = DEFAULT_TOKEN,
    control_token: str | None = None,
    quiet: bool = False,
) -> DeskEmulatorServer:
    """A bound, not yet serving emulator; port 0 picks a free port (see ``base_url``).

    Without ``control_token`` a random one is generated (``server.state.control_token``).
    """
    mode = fault or "none"
    if mode not in FAULT_MODES:
        raise ValueError(f"unknown fault mode {mode!r}; choose one of {', '.join(FAULT_MODES)}")
    state = DeskState(
        email=email,
        token=token,
        fault=mode,
        control_token=control_token or secrets.token_urlsafe(24),
    )
    return DeskEmulatorServer((host, port), state, quiet=quiet)


@contextmanager
def serving_in_background(**options: Any) -> Iterator[DeskEmulatorServer]:
    """An emulator on a free loopback port, served by a thread until the block ends.

    For tests and benchmarks that need a real desk beside them; ``options`` are
    ``make_server``'s. A short poll interval keeps the shutdown quick.
    """
    server = make_server("127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(
    host: str,
    port: int,
    *,
    fault: str | None = None,
    email: str = DEFAULT_EMAIL,
    token: str = DEFAULT_TOKEN,
    control_token: str | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted."""
    server = make_server(
        host, port, fault=fault, email=email, token=token, control_token=control_token
    )
    print(f"Support-desk emulator on {server.base_url} (fault mode: {server.state.fault})")
    print(f"Control token ({CONTROL_TOKEN_HEADER}): {server.state.control_token}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class _DeskHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SupportDeskEmulator/1.0"
    timeout = 30  # idle keep-alive connections do not hold a thread forever
    server: DeskEmulatorServer

    # --- routing -------------------------------------------------------------------

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if not self._addressed_to_us() or not self._control_allowed(path, post=False):
            return
        if path == "/__emulator/requests":
            self._send_json(200, {"count": self.server.state.create_requests})
        elif agent := _AGENT_PATH.fullmatch(path):
            self._agent_page(int(agent.group(1)))
        elif path in (TICKETS_PATH, f"{TICKETS_PATH}.json"):
            if self._authorised():
                external_id = parse_qs(query).get("external_id", [None])[0]
                found = self.server.state.tickets(external_id)
                self._send_json(200, {"tickets": found, "count": len(found)})
        elif api := _TICKET_PATH.fullmatch(path):
            if self._authorised():
                self._show_ticket(int(api.group(1)))
        else:
            self._send_json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def do_POST(self) -> None:
        path = self.path.partition("?")[0]
        if not self._addressed_to_us() or not self._control_allowed(path, post=True):
            self.close_connection = True
            return
        body = self._read_body()
        if body is None:
            return
        if path == "/__emulator/fault":
            self._set_fault(body)
        elif path in (TICKETS_PATH, f"{TICKETS_PATH}.json"):
            self.server.state.count_create_request()
            if not self._apply_fault(self.server.state.fault):
                self._create_ticket(body)
        else:
            self._send_json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    # --- the Tickets API -----------------------------------------------------------

    def _create_ticket(self, body: bytes) -> None:
        if not self._authorised():
            return
        try:
            data = json.loads(body)
        except ValueError:
            self._send_json(400, {"error": "InvalidJSON", "description": "Body is not JSON"})
            return
        fields, details = _validate(data)
        if details:
            self._send_json(422, _record_invalid(details))
            return
        key = self.headers.get("Idempotency-Key")
        fingerprint = json.dumps(data, sort_keys=True)
        try:
            ticket, hit = self.server.state.create(
                fields, key=key, fingerprint=fingerprint, base_url=self.server.base_url
            )
        except IdempotencyConflict:
            self._send_json(
                400,
                {
                    "error": "IdempotentRequestError",
                    "description": "Idempotency key was used with a different request",
                },
            )
            return
        headers = {"Location": ticket["url"]}
        if key is not None:
            headers["x-idempotency-lookup"] = "hit" if hit else "miss"
        self._send_json(201, {"ticket": ticket}, headers)

    def _show_ticket(self, ticket_id: int) -> None:
        ticket = self.server.state.ticket(ticket_id)
        if ticket is None:
            self._send_json(404, {"error": "RecordNotFound", "description": "Not found"})
        else:
            self._send_json(200, {"ticket": ticket})

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), self.server.state.expected_authorization.encode()):
            return True
        self._send_json(
            401,
            {"error": "Couldn't authenticate you"},
            {"WWW-Authenticate": 'Basic realm="Support desk emulator"'},
        )
        return False

    # --- faults and control --------------------------------------------------------

    def _addressed_to_us(self) -> bool:
        if self.headers.get("Host", "") in self.server.own_hosts:
            return True
        self._send_json(421, {"error": "MisdirectedRequest"})
        return False

    def _control_allowed(self, path: str, *, post: bool) -> bool:
        """Control paths need the control token, and a POST must be JSON."""
        if not path.startswith(CONTROL_PATH):
            return True
        given = self.headers.get(CONTROL_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.server.state.control_token.encode()):
            self._send_json(403, {"error": f"{CONTROL_TOKEN_HEADER} required"})
            return False
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if post and content_type != "application/json":
            self._send_json(415, {"error": "application/json required"})
            return False
        return True

    def _set_fault(self, body: bytes) -> None:
        try:
            mode = json.loads(body).get("mode")
            self.server.state.set_fault(mode)
        except (ValueError, AttributeError):
            self._send_json(400, {"error": "unknown fault mode", "modes": list(FAULT_MODES)})
            return
        self._send_json(200, {"mode": mode})

    def _apply_fault(self, mode: str) -> bool:
        """Misbehave as ``mode`` says; False when the request should proceed normally."""
        if mode == "none":
            return False
        if mode == "slow":
            self.server.state.stopping.wait(SLOW_SECONDS)
            return False
        if mode == "hang":
            # Answer normally afterwards: the ticket then exists although the caller
            # gave up, which is exactly the "outcome unknown" case.
            if self.server.state.stopping.wait(HANG_SECONDS):
                self.close_connection = True
                return True
            return False
        if mode == "drip":
            self._drip()
        elif mode == "http_401":
            self._send_json(401, {"error": "Couldn't authenticate you"})
        elif mode == "http_422":
            self._send_json(
                422, _record_invalid({"priority": [{"description": "Priority: is invalid"}]})
            )
        elif mode == "http_429":
            self._send_json(429, {"error": "TooManyRequests"}, {"Retry-After": "60"})
        elif mode == "http_500":
            self._send_json(500, {"error": "InternalServerError"})
        elif mode == "malformed":
            self._send(201, b"<html><body>Ticket created</body></html>", "text/html")
        elif mode == "oversized":
            self._oversized()
        elif mode == "redirect":
            self._send(302, b"", "text/plain", {"Location": REDIRECT_TARGET})
        elif mode == "reset":
            self._reset()
        return True

    def _drip(self) -> None:
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(DRIP_BYTES))
        self.end_headers()
        self.close_connection = True
        for _ in range(DRIP_BYTES):
            if self.server.state.stopping.wait(DRIP_INTERVAL_SECONDS):
                return
            self.wfile.write(b" ")

    def _oversized(self) -> None:
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(OVERSIZED_BYTES))
        self.end_headers()
        self.close_connection = True
        chunk = b" " * 65536
        for _ in range(OVERSIZED_BYTES // len(chunk)):
            self.wfile.write(chunk)

    def _reset(self) -> None:
        # Linger 0 makes close() send RST instead of FIN: an abrupt reset, no response.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # --- agent web page ------------------------------------------------------------

    def _agent_page(self, ticket_id: int) -> None:
        ticket = self.server.state.ticket(ticket_id)
        if ticket is None:
            page = _page("Ticket not found", "<p>There is no ticket with this number.</p>")
            self._send(404, page.encode(), "text/html; charset=utf-8", _PAGE_HEADERS)
        else:
            page = _page(f"Ticket #{ticket_id}", _ticket_html(ticket))
            self._send(200, page.encode(), "text/html; charset=utf-8", _PAGE_HEADERS)

    # --- plumbing ------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._send_json(413, {"error": "RequestTooLarge"})
            return None
        return self.rfile.read(int(length))

    def _send_json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # Only the request line and status reach the log: never any header.
        if not self.server.quiet:
            sys.stderr.write(f"desk-emulator {self.address_string()} {format % args}\n")


def _validate(data: object) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """(the ticket's stored fields, validation details by field name)."""
    ticket = data.get("ticket") if isinstance(data, dict) else None
    if not isinstance(ticket, dict):
        return {}, {"ticket": [{"description": "Ticket: is missing"}]}
    details: dict[str, list[dict[str, str]]] = {}
    subject = ticket.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        details["subject"] = [{"description": "Subject: cannot be blank"}]
    comment = ticket.get("comment")
    body = comment.get("body") if isinstance(comment, dict) else None
    if not isinstance(body, str) or not body.strip():
        details["comment"] = [{"description": "Comment: cannot be blank"}]
    priority = ticket.get("priority")
    if priority is not None and priority not in PRIORITIES:
        details["priority"] = [{"description": "Priority: is not valid"}]
    external_id = ticket.get("external_id")
    if external_id is not None and not isinstance(external_id, str):
        details["external_id"] = [{"description": "External id: must be text"}]
    tags = ticket.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        details["tags"] = [{"description": "Tags: must be a list of text"}]
    fields = {
        "subject": subject,
        "description": body,
        "priority": priority,
        "external_id": external_id,
        "tags": tags,
    }
    return fields, details


def _record_invalid(details: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    return {"error": "RecordInvalid", "description": "Record validation errors", "details": details}


_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1f2328; }
header { background: #1f2937; color: #fff; padding: 12px 24px; font-size: 14px; }
main { max-width: 760px; margin: 24px auto; background: #fff; border: 1px solid #d0d7de;
       border-radius: 8px; padding: 24px; }
h1 { font-size: 20px; margin: 0 0 16px; }
h2 { font-size: 15px; margin: 24px 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
dt { color: #57606a; }
dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 12px;
      border-radius: 6px; margin: 0; font-size: 13px; }
.tag { display: inline-block; padding: 0 8px; margin-right: 4px; border-radius: 999px;
       background: #ddf4ff; font-size: 12px; }
"""


def _page(title: str, content: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} &middot; Support desk emulator</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<header>Support desk emulator &middot; local development only</header>"
        f"<main><h1>{html.escape(title)}</h1>{content}</main></body></html>"
    )


def _ticket_html(ticket: dict[str, Any]) -> str:
    def text(key: str) -> str:
        value = ticket.get(key)
        return html.escape(str(value)) if value is not None else "&ndash;"

    tags = "".join(f'<span class="tag">{html.escape(tag)}</span>' for tag in ticket["tags"])
    rows = [
        ("Subject", text("subject")),
        ("Status", text("status")),
        ("Priority", text("priority")),
        ("External id", text("external_id")),
        ("Tags", tags or "&ndash;"),
        ("Created", text("created_at")),
    ]
    listing = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f"<dl>{listing}</dl><h2>Description</h2><pre>{text('description')}</pre>"
