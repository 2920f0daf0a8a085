"""Which backend worker served which event: an opt-in trace for scale-out checks.

With ``SUPPORT_APP_EVENT_TRACE=/path/file`` every worker appends one JSON line per
event: its process id, the tab's client token and the event's name (never the
payload, which may hold form input). The multi-worker e2e test reads it to prove
that one tab's events were served by different workers; an operator can use it to
see how connections spread over the workers. Unset (the default), nothing is added.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from reflex.middleware import Middleware

TRACE_ENV = "SUPPORT_APP_EVENT_TRACE"


class EventTrace(Middleware):
    def __init__(self, path: Path) -> None:
        self._path = path

    async def preprocess(self, app, state, event):
        token = state.router.session.client_token
        line = json.dumps({"pid": os.getpid(), "token": token, "event": event.name})
        # One short append per event; O_APPEND keeps lines from several workers whole.
        with self._path.open("a", encoding="utf-8") as trace:
            trace.write(line + "\n")
        return None


def install(app) -> None:
    """Add the trace to ``app`` when ``SUPPORT_APP_EVENT_TRACE`` names a file."""
    if path := os.environ.get(TRACE_ENV):
        app.add_middleware(EventTrace(Path(path)))
