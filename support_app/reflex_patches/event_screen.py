"""Event frames are screened before Reflex sees them; refusals are logged safely.

Any client can send any frame on the event socket. Reflex logs a frame it cannot use
whole (the event, its payload, the headers with the session hash, the client
token), with a traceback, once per frame: a password sent to a handler name that no
longer exists ended up in the log in clear text, and ten 500 kB frames added 4 MB of
log. So every frame is checked here first, against what a browser actually sends: an
object whose ``name`` is a registered handler, with an object ``payload`` and
``router_data``. Anything else is dropped with one log line that says what was
refused without repeating it: the handler's state if it exists (never text the
client made up), the frame's size and the reason, at most ``LINES_PER_SOCKET`` lines
per socket and ``LINES_PER_MINUTE`` in all per minute.

Frames that pass go to Reflex unchanged; a handler called with arguments that do not
fit is answered by ``event_errors.backend_exception_handler``.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections import OrderedDict
from typing import Any

from reflex.app import EventNamespace
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)

LINES_PER_SOCKET = 3
LINES_PER_MINUTE = 30
_WINDOW_SECONDS = 60.0
_SOCKETS_REMEMBERED = 10_000


def _registered_handlers() -> dict[str, Any]:
    return RegistrationContext.get().event_handlers


def refusal_reason(data: Any, handlers: dict[str, Any]) -> str | None:
    """Why a frame is not an event this app can run (None: it is)."""
    if not isinstance(data, dict):
        return "not an object"
    name = data.get("name")
    if not isinstance(name, str):
        return "no event name"
    if name not in handlers:
        return "unknown event"
    if not isinstance(data.get("payload", {}), dict):
        return "payload not an object"
    if not isinstance(data.get("router_data", {}), dict):
        return "router_data not an object"
    return None


def describe_name(data: Any, handlers: dict[str, Any]) -> str:
    """The event's name as far as the app knows it; client-made text never appears."""
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str):
        return "-"
    if name in handlers:
        return name.rsplit("___", 1)[-1][:80]
    state, _, _ = name.rpartition(".")
    known_states = {handler.rpartition(".")[0] for handler in handlers}
    shown = state.rsplit("___", 1)[-1][:60] if state in known_states else "?"
    return f"{shown}.?({len(name)} chars)"


def frame_size(data: Any) -> int:
    try:
        return len(json.dumps(data, default=str))
    except (TypeError, ValueError, RecursionError):
        return -1


class RefusalLog:
    """At most a few lines per socket and per minute; counts what it did not log."""

    def __init__(self) -> None:
        self._window_start = time.monotonic()
        self._in_window = 0
        self._suppressed = 0
        self._per_socket: OrderedDict[str, int] = OrderedDict()

    def allow(self, sid: str) -> bool:
        now = time.monotonic()
        if now - self._window_start >= _WINDOW_SECONDS:
            if self._suppressed:
                logger.warning("%d further refused event frames not logged", self._suppressed)
            self._window_start, self._in_window, self._suppressed = now, 0, 0
            self._per_socket.clear()
        seen = self._per_socket.pop(sid, 0)
        self._per_socket[sid] = seen + 1
        if len(self._per_socket) > _SOCKETS_REMEMBERED:
            self._per_socket.popitem(last=False)
        if seen >= LINES_PER_SOCKET or self._in_window >= LINES_PER_MINUTE:
            self._suppressed += 1
            return False
        self._in_window += 1
        return True


_refusals = RefusalLog()


class PayloadErrorText(logging.Filter):
    """Reflex warns "Error transforming event payload for handler H: <error>", and the
    error's text may quote the client's value; the line keeps the handler only."""

    PREFIX = "Error transforming event payload for handler "

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(self.PREFIX):
            handler = message[len(self.PREFIX) :].split(":", 1)[0][:120]
            record.msg, record.args = "%s%s (payload withheld)", (self.PREFIX, handler)
        return True


def install() -> None:
    """Screen every frame of Reflex's event namespace (once per process)."""
    if getattr(EventNamespace.on_event, "_screened", False):
        return
    logging.getLogger("reflex_base.event.processor.base_state_processor").addFilter(
        PayloadErrorText()
    )
    run_event = EventNamespace.on_event

    @functools.wraps(run_event)
    async def on_event(self: EventNamespace, sid: str, data: Any) -> None:
        handlers = _registered_handlers()
        reason = refusal_reason(data, handlers)
        if reason is None and self.sid_to_token.get(sid) is None:
            reason = "socket without client token"
        if reason is None:
            await run_event(self, sid, data)
            return
        if _refusals.allow(sid):
            logger.warning(
                "event frame refused: name=%s size=%d reason=%s",
                describe_name(data, handlers),
                frame_size(data),
                reason,
            )

    on_event._screened = True  # type: ignore[attr-defined]
    EventNamespace.on_event = on_event  # type: ignore[method-assign]
