"""What a browser sees when one of its events fails: a translated toast, no traceback.

Reflex hands every exception raised while processing an event to the app's
``backend_exception_handler``. Ours tells three kinds apart and answers each with a
toast that runs in the browser only - never another server event, which would need
the very state store or database that may just have failed (the review saw one click
during a Redis outage turn into an error loop of 4,000 log lines in 10 s):

- **unavailable**: a dependency failed (the state store, the database: connection,
  timeout, lock expiry). Logged as ERROR with its cause, once per cause and at most
  ``INFRA_LINES_PER_MINUTE`` lines a minute while it lasts; never blamed on the
  client. The toast says the service is temporarily unavailable and the action was
  not completed, and stays until dismissed.
- **malformed**: the arguments did not fit the handler (any browser can send any
  event with any arguments). One warning line naming only the exception's type,
  never its message, which may quote what the client sent.
- **unexpected**: a failure of our own code; the traceback is logged (server only).

Each answer carries an error reference an operator can quote to support: ``E-`` and
the event's id, as in its line of the event log (``reflex_patches/event_log.py``) and in the
error's own line. The language comes from the ``sa_locale`` cookie of the socket's
handshake, so answering needs no state. The answer also tells the browser to stop
waiting for the failed event's answer (``ui.client_state``): a dialog drawn at the
click closes again, a Submit button that said "Submitting…" is a Submit button again.
Frames that are not events at all never get this far (``reflex_patches/event_screen.py``).
"""

from __future__ import annotations

import logging
import secrets
import time
import traceback
from pathlib import Path

import reflex as rx
from reflex.event import EventSpec
from reflex_base.event.context import EventContext
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from support_app.i18n import LOCALES, translate
from support_app.services.redaction import redact_text
from support_app.ui.client_state import stop_waiting
from support_app.web.cookies import LOCALE_COOKIE, cookie_value

logger = logging.getLogger(__name__)

MALFORMED = "malformed"
UNEXPECTED = "unexpected"
UNAVAILABLE = "unavailable"
INFRA_LINES_PER_MINUTE = 6
# The toast id: a repeated outage replaces the one toast instead of stacking them.
UNAVAILABLE_TOAST_ID = "service-unavailable"
# As imported (not resolved): tracebacks name files by the path they were loaded from.
_OUR_CODE = str(Path(__file__).parents[2]) + "/"
# The wrapper that logs every event (``reflex_patches/event_log.py``) is on every traceback.
_EVENT_LOG_WRAPPER = _OUR_CODE + "reflex_patches/event_log.py"


def raised_by_the_call(exception: Exception) -> bool:
    """Whether the exception came from delivering the event (arguments that do not fit
    the handler's signature or type hints, a payload that is not an object) rather
    than from running our handler: then no frame of the traceback is in our package."""
    frames = traceback.extract_tb(exception.__traceback__)
    return not any(
        frame.filename.startswith(_OUR_CODE) and frame.filename != _EVENT_LOG_WRAPPER
        for frame in frames
    )


def infrastructure_cause(exception: BaseException) -> str | None:
    """The failed dependency's error type if ``exception`` (or its cause) is one."""
    seen: set[int] = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_infrastructure(current):
            return f"{type(current).__module__}.{type(current).__name__}"
        current = current.__cause__ or current.__context__
    return None


def _is_infrastructure(error: BaseException) -> bool:
    if isinstance(error, OperationalError | PoolTimeout | DBAPIError):
        return True
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    module = type(error).__module__
    # redis-py's errors, Reflex's state-lock expiry: the state store failed.
    return module.startswith("redis") or type(error).__name__ == "LockExpiredError"


class InfrastructureLog:
    """One ERROR per cause when it starts, then at most a few lines a minute."""

    def __init__(self) -> None:
        self._window_start = time.monotonic()
        self._lines = 0
        self._suppressed = 0
        self._causes_seen: set[str] = set()

    def error(self, cause: str, error_id: str, exception: BaseException) -> None:
        now = time.monotonic()
        if now - self._window_start >= 60:
            if self._suppressed:
                logger.error(
                    "dependency still unavailable: %d more failed events", self._suppressed
                )
            self._window_start, self._lines, self._suppressed = now, 0, 0
            self._causes_seen.clear()
        if cause in self._causes_seen or self._lines >= INFRA_LINES_PER_MINUTE:
            self._suppressed += 1
            return
        self._causes_seen.add(cause)
        self._lines += 1
        logger.error(
            "dependency unavailable: %s: %s [error %s]", cause, _cause_text(exception), error_id
        )


_infrastructure_log = InfrastructureLog()


def _cause_text(exception: BaseException) -> str:
    """The driver's own message, redacted and short: a SQLAlchemy error's text would
    also quote the statement's parameters, which may be what the user typed."""
    origin = exception.orig if isinstance(exception, DBAPIError) else exception
    return redact_text(" ".join(str(origin).split())[:200])


def new_error_id() -> str:
    """A short reference for one failed action (in the toast and the log line)."""
    return "E-" + secrets.token_hex(4).upper()


def _event_reference() -> str:
    """The failed event's id (its ``event_id`` in the event log line), else a new one."""
    try:
        txid = EventContext.get().txid
    except LookupError:
        txid = ""
    return f"E-{txid.upper()}" if txid else new_error_id()


def _reader_locale() -> str:
    """The tab's language from its handshake cookie ("en" when unknown)."""
    try:
        headers = EventContext.get().router_data.get("headers", {})
    except LookupError:
        return "en"
    locale = cookie_value(str(headers.get("cookie", "")), LOCALE_COOKIE) or "en"
    return locale if locale in LOCALES else "en"


def backend_exception_handler(exception: Exception) -> list[EventSpec]:
    """Log once, answer with a translated toast (registered on ``rx.App``), and stop
    the browser waiting for an answer that will not come."""
    return [_toast_for(exception), *stop_waiting()]


def _toast_for(exception: Exception) -> EventSpec:
    error_id, locale = _event_reference(), _reader_locale()
    if (cause := infrastructure_cause(exception)) is not None:
        _infrastructure_log.error(cause, error_id, exception)
        return rx.toast.error(
            translate(locale, f"event.error.{UNAVAILABLE}", reference=error_id),
            id=UNAVAILABLE_TOAST_ID,
            duration=60_000,
            close_button=True,
        )
    if raised_by_the_call(exception):
        # The type only: the message may quote the client's arguments (names, values).
        logger.warning(
            "malformed event refused: reason=arguments do not fit the handler (%s) [error %s]",
            type(exception).__name__,
            error_id,
        )
        return rx.toast.error(translate(locale, f"event.error.{MALFORMED}", reference=error_id))
    logger.error("event handler failed [error %s]", error_id, exc_info=exception)
    return rx.toast.error(translate(locale, f"event.error.{UNEXPECTED}", reference=error_id))
