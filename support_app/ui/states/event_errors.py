"""What a browser sees when one of its events fails: a translated toast, no traceback.

Any browser can send any event with any arguments, so a handler called with missing,
extra or wrongly typed arguments is an everyday input error, not a crash. Reflex
hands every exception raised while processing an event to the app's
``backend_exception_handler``; ours logs it once (a one-line warning for a malformed
event; the traceback, on the server only, for a failure of our own code) and answers
with a toast in the reader's language.
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
_LOGGED_MESSAGE_MAX = 200
_OUR_CODE = str(Path(__file__).resolve().parents[2]) + "/"


class EventErrorState(SessionState):
    """Shows the failure toast; a separate event so it knows the tab's language."""

    @rx.event
    def report(self, kind: str):
        if kind not in (MALFORMED, UNEXPECTED):
            kind = UNEXPECTED
        return rx.toast.error(translate(self.locale, f"event.error.{kind}"))


def raised_by_the_call(exception: Exception) -> bool:
    """Whether the exception came from calling the handler (its arguments did not fit
    its signature or type hints) rather than from running it: then no frame of the
    traceback is in our package."""
    frames = traceback.extract_tb(exception.__traceback__)
    return not any(frame.filename.startswith(_OUR_CODE) for frame in frames)


def backend_exception_handler(exception: Exception) -> EventSpec | None:
    """Log once, answer with a translated toast (registered on ``rx.App``)."""
    if isinstance(exception, TypeError | ValueError) and raised_by_the_call(exception):
        message = " ".join(str(exception).split())[:_LOGGED_MESSAGE_MAX]
        logger.warning("malformed event refused: %s: %s", type(exception).__name__, message)
        return EventErrorState.report(MALFORMED)
    logger.error("event handler failed", exc_info=exception)
    return EventErrorState.report(UNEXPECTED)
