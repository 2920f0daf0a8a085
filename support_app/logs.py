"""Logs an operator can run the app by: one structured line per record.

The standard library's ``logging``, configured once per process
(``configure_logging``, called when the app module is imported): one handler on the
root logger, so the app's own lines and any library's land in the same shape;
Reflex's and Granian's loggers keep their own sinks. Every line has the time (UTC,
ms), level, pid and logger, then the message and the record's fields;
``SUPPORT_APP_LOG_FORMAT=json`` writes one JSON object per line instead of
``key=value`` text. A multi-line message or a stack trace stays in its one line
(escaped in text, a field in JSON).

- **No secrets**: the message text and any stack trace go through the redaction
  scanner (``services.redaction.redact_text``) before they are written. The fields
  the app sets itself (ids, a session hash prefix, a path without its query) are
  not scanned: they are chosen not to carry secrets, and the scanner would take
  the random ids for tokens.
- **Repeats rate-limited**: a warning or error with the same logger, message and
  exception type is written at most ``REPEAT_BURST`` times per ``REPEAT_WINDOW_S``;
  the next one written says how many were left out (``repeats_suppressed``).
- **Per HTTP request** (``RequestLog``, the outermost ASGI layer): ``request_id``
  (the client's ``X-Request-ID`` when it is a plain token, else a new one; echoed in
  the response), method, path, status, ``duration_ms``, ``session`` (the first 12
  hex digits of the session token's SHA-256: the prefix of
  ``user_sessions.token_hash``) and ``user_id`` when the request made it known
  (``note_user``). Probes of ``/healthz`` and ``/readyz`` that pass are DEBUG.
- **Per event** (``logged_event``, for the Reflex event handlers): ``event``,
  ``event_id`` (short, to show in an error message as a reference), ``duration_ms``,
  ``outcome``, ``session``, ``user_id``, ``tenant_id``; a failure is one ERROR record
  with the stack attached.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import hashlib
import json
import logging
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from support_app import metrics
from support_app.services.redaction import redact_text
from support_app.settings import Settings, get_settings
from support_app.web.cookies import cookie_value, session_cookie_name

REPEAT_BURST = 5
REPEAT_WINDOW_S = 60.0
# Third-party loggers that log every outbound call or statement at INFO.
QUIET_LOGGERS = ("httpx", "httpcore", "sqlalchemy.engine", "alembic")
PROBE_PATHS = frozenset({"/healthz", "/readyz"})
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U

logger = logging.getLogger("support_app.access")
event_logger = logging.getLogger("support_app.events")


def new_id(length: int = 10) -> str:
    """A short random id (Crockford base32, 5 bits a character), easy to quote."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def session_fingerprint(session_token_or_hash: str | None) -> str | None:
    """The first 12 hex digits of the session's token hash, safe to log.

    Takes the raw cookie value (HTTP routes) or its hash (what Reflex state holds:
    a 64-digit hex string), and gives the prefix of ``user_sessions.token_hash``.
    """
    if not session_token_or_hash:
        return None
    value = session_token_or_hash
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        value = hashlib.sha256(value.encode()).hexdigest()
    return value[:12]


# --- formatting and filters ------------------------------------------------------


class StructuredFormatter(logging.Formatter):
    """One line per record: ``key=value`` text, or a JSON object."""

    def __init__(self, *, json_lines: bool) -> None:
        super().__init__()
        self._json = json_lines

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "pid": record.process,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request = _request.get()
        if request is not None:
            line["request_id"] = request.request_id
        # Fields not known for this line (None) are left out rather than written empty.
        line.update(
            {k: v for k, v in (getattr(record, "fields", None) or {}).items() if v is not None}
        )
        stack = getattr(record, "stack", None)
        if stack is None and record.exc_info and record.exc_info[0] is not None:
            stack = self.formatException(record.exc_info)
        if stack:
            line["stack"] = stack
        if self._json:
            return json.dumps(line, ensure_ascii=False, default=str)
        head = f"{line.pop('ts')} {line.pop('level').upper()} pid={line.pop('pid')}"
        return " ".join([head, *(f"{key}={_text_value(value)}" for key, value in line.items())])


def _text_value(value: object) -> str:
    text = str(value)
    if text and not re.search(r'[\s"=\\]', text):
        return text
    return json.dumps(text, ensure_ascii=False)  # quoted, newlines escaped: one line


class RedactingFilter(logging.Filter):
    """Message and stack through the redaction scanner; ``args`` folded into the text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.stack = redact_text("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
            record.exc_text = None
        return True


class RepeatLimit(logging.Filter):
    """At most ``burst`` identical warnings/errors (logger, message, exception) per window.

    A free-text record over the budget is left out, and the next one written says
    how many were (``repeats_suppressed``). A per-request or per-event line (one
    with ``fields``) is always written, since each stands for a different request;
    over the budget it loses only its stack (``stack_suppressed``).
    """

    def __init__(self, burst: int = REPEAT_BURST, window_s: float = REPEAT_WINDOW_S) -> None:
        super().__init__()
        self._burst = burst
        self._window_s = window_s
        self._lock = threading.Lock()
        # key -> [window start, written in window, left out since the last written]
        self._seen: dict[tuple[str, ...], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        fields = getattr(record, "fields", None)
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        if fields is not None and not error:
            return True
        key = (record.name, record.getMessage(), error, str((fields or {}).get("event", "")))
        if self._within_budget(key):
            if left_out := self._take_left_out(key):
                record.fields = {**(fields or {}), "repeats_suppressed": left_out}
            return True
        if fields is None:
            return False
        record.exc_info, record.exc_text = None, None
        record.fields = {**fields, "stack_suppressed": True}
        return True

    def _within_budget(self, key: tuple[str, ...]) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 1000:
                self._seen.clear()
            seen = self._seen.setdefault(key, [now, 0, 0])
            if now - seen[0] >= self._window_s:
                seen[0], seen[1] = now, 0
            if seen[1] >= self._burst:
                seen[2] += 1
                return False
            seen[1] += 1
            return True

    def _take_left_out(self, key: tuple[str, ...]) -> int:
        with self._lock:
            seen = self._seen[key]
            left_out, seen[2] = int(seen[2]), 0
            return left_out


def structured_handler(stream: TextIO, *, json_lines: bool) -> logging.Handler:
    """A handler writing structured, rate-limited (first), redacted lines to ``stream``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter(json_lines=json_lines))
    handler.addFilter(RepeatLimit())
    handler.addFilter(RedactingFilter())
    return handler


_configured = False
_configure_lock = threading.Lock()


def configure_logging(settings: Settings | None = None) -> None:
    """Install the one root handler (stderr) with the filters; idempotent."""
    global _configured
    with _configure_lock:
        if _configured:
            return
        settings = settings or get_settings()
        root = logging.getLogger()
        root.addHandler(structured_handler(sys.stderr, json_lines=settings.log_format == "json"))
        root.setLevel(logging.INFO)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        _configured = True


# --- per request ------------------------------------------------------------------


@dataclass
class RequestContext:
    request_id: str
    user_id: int | None = None


_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "support_app_request", default=None
)


def note_user(user_id: int) -> None:
    """Record the signed-in user on the current request's log line (if any)."""
    if (request := _request.get()) is not None:
        request.user_id = user_id


class RequestLog:
    """ASGI middleware: one line per HTTP request (and per event-socket connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = {key.lower(): value for key, value in scope.get("headers", [])}
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        context = RequestContext(incoming if _PLAIN_TOKEN.fullmatch(incoming) else new_id(16))
        status: int | None = None
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", context.request_id.encode()),
                    ],
                }
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status is None:
                status = 403
            await send(message)

        token = _request.set(context)
        failed = False
        try:
            await self._app(scope, receive, send_with_id)
        except Exception:
            failed = True
            logger.exception("request failed")
            raise
        finally:
            path = scope.get("path", "")
            seconds = time.perf_counter() - started
            metrics.http_request(
                path, 500 if failed else status, seconds, websocket=scope["type"] == "websocket"
            )
            level = logging.INFO
            if failed or (status or 500) >= 500:
                level = logging.WARNING
            elif path in PROBE_PATHS:
                level = logging.DEBUG
            logger.log(
                level,
                "request",
                extra={
                    "fields": {
                        "method": scope.get("method", "WS"),
                        "path": path,
                        "status": 500 if failed else status,
                        "duration_ms": round(seconds * 1000, 1),
                        "session": session_fingerprint(
                            cookie_value(
                                headers.get(b"cookie", b"").decode("latin-1"),
                                session_cookie_name(get_settings().secure_cookies),
                            )
                        ),
                        "user_id": context.user_id,
                    }
                },
            )
            _request.reset(token)


# --- per event --------------------------------------------------------------------


@dataclass
class EventLog:
    """What ``logged_event`` writes; the handler may fill in what it learns."""

    name: str
    event_id: str = field(default_factory=new_id)
    outcome: str = "ok"
    session: str | None = None
    user_id: int | None = None
    tenant_id: int | None = None
    # False: a failure that is not ours to debug (a malformed call, an outage logged
    # once elsewhere): one WARNING line with the outcome, no stack and no message.
    stack: bool = True


@contextmanager
def logged_event(
    name: str,
    *,
    session: str | None = None,
    user_id: int | None = None,
    tenant_id: int | None = None,
) -> Iterator[EventLog]:
    """One line for one event: INFO when it ends, one ERROR with the stack when it fails.

    ``session`` is the session token's hash as Reflex state holds it (only a prefix
    is written). Set ``entry.outcome`` (e.g. ``"stored"``, ``"denied"``),
    ``entry.user_id`` and ``entry.tenant_id`` as they become known; show
    ``entry.event_id`` in an error message so an operator can find the line. A
    cancelled event (the tab went away) is logged as ``outcome=cancelled``.
    """
    entry = EventLog(name=name, session=session, user_id=user_id, tenant_id=tenant_id)
    started = time.perf_counter()
    failure: BaseException | None = None
    try:
        yield entry
    except (GeneratorExit, KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        entry.outcome = "cancelled"
        raise
    except BaseException as error:
        entry.outcome = "error" if entry.outcome == "ok" else entry.outcome
        failure = error
        raise
    finally:
        level = logging.INFO
        if failure is not None:
            level = logging.ERROR if entry.stack else logging.WARNING
        event_logger.log(
            level,
            "event failed" if failure else "event",
            exc_info=failure if entry.stack else None,
            extra={
                "fields": {
                    "event": entry.name,
                    "event_id": entry.event_id,
                    "outcome": entry.outcome,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "session": session_fingerprint(entry.session),
                    "user_id": entry.user_id,
                    "tenant_id": entry.tenant_id,
                }
            },
        )
