"""What a browser sees when one of its events fails: a translated toast, no traceback.

Any browser can send any event with any arguments, so a handler called with missing,
extra or wrongly typed arguments is an everyday input error, not a crash. Reflex
hands every exception raised while processing an event to the app's
``backend_exception_handler``; ours logs it once (a one-line warning naming only the
exception's type for a malformed event, never its message, which may quote what the
client sent; the traceback, on the server only, for a failure of our own code) and
answers with a toast in the reader's language. Frames that are not events at all
never get this far (``ui/event_screen.py``).
"""

import logging
import traceback
from pathlib import Path

import reflex as rx
from reflex.event import EventSpec

from support_app.i18n import translate
from support_app.ui.states.session import SessionState

logger = logging.getLogger(__name__)

MALFORMED = "malformed"
UNEXPECTED = "unexpected"
# As imported (not resolved): tracebacks name files by the path they were loaded from.
_OUR_CODE = str(Path(__file__).parents[2]) + "/"


class EventErrorState(SessionState):
    """Shows the failure toast; a separate event so it knows the tab's language."""

    @rx.event
    def report(self, kind: str):
        if kind not in (MALFORMED, UNEXPECTED):
            kind = UNEXPECTED
        return rx.toast.error(translate(self.locale, f"event.error.{kind}"))


def raised_by_the_call(exception: Exception) -> bool:
    """Whether the exception came from delivering the event (arguments that do not fit
    the handler's signature or type hints, a payload that is not an object) rather
    than from running our handler: then no frame of the traceback is in our package."""
    frames = traceback.extract_tb(exception.__traceback__)
    return not any(frame.filename.startswith(_OUR_CODE) for frame in frames)


def backend_exception_handler(exception: Exception) -> EventSpec | None:
    """Log once, answer with a translated toast (registered on ``rx.App``)."""
    if raised_by_the_call(exception):
        # The type only: the message may quote the client's arguments (names, values).
        logger.warning(
            "malformed event refused: reason=arguments do not fit the handler (%s)",
            type(exception).__name__,
        )
        return EventErrorState.report(MALFORMED)
    logger.error("event handler failed", exc_info=exception)
    return EventErrorState.report(UNEXPECTED)
