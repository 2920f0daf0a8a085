"""One structured log line per event (``support_app.logs.logged_event``).

Reflex 0.10 has no hook around an event's execution (middleware ``postprocess`` is
never called), so the event processor's one execution step is wrapped once per
process: each event writes one line with its handler (the registered name only, as
``state.handler``: frames with unknown names never get here, see ``event_screen``),
its id (Reflex's transaction id), duration, outcome and the session's fingerprint.
A failure of our code is one ERROR record with its stack (rate-limited by
``logs.RepeatLimit``); a malformed call or an outage is one WARNING line with that
outcome and nothing else (the client's arguments may be in an exception's text, and
an outage is reported once, by ``event_errors``).
"""

from __future__ import annotations

from typing import Any

from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from support_app.logs import logged_event
from support_app.settings import get_settings
from support_app.ui.states.event_errors import infrastructure_cause, raised_by_the_call
from support_app.web.cookies import cookie_value, session_cookie_name


def short_name(full_name: str) -> str:
    """``…____support_request_state.open_dialog`` → ``support_request_state.open_dialog``."""
    state, _, handler = full_name.rpartition(".")
    return f"{state.rsplit('___', 1)[-1]}.{handler}" if state else handler


def _session_of(router_data: dict[str, Any]) -> str | None:
    headers = router_data.get("headers", {}) if isinstance(router_data, dict) else {}
    cookie = str(headers.get("cookie", "")) if isinstance(headers, dict) else ""
    return cookie_value(cookie, session_cookie_name(get_settings().secure_cookies))


def install() -> None:
    """Wrap the event processor's execution step (once per process)."""
    execute = BaseStateEventProcessor._execute_event
    if getattr(execute, "_logged", False):
        return

    async def logged_execute(self, *, entry, registered_handler) -> None:
        with logged_event(
            short_name(entry.event.name), session=_session_of(entry.ctx.router_data)
        ) as line:
            line.event_id = entry.ctx.txid or line.event_id
            try:
                await execute(self, entry=entry, registered_handler=registered_handler)
            except Exception as error:
                if infrastructure_cause(error) is not None:
                    line.outcome, line.stack = "unavailable", False
                elif raised_by_the_call(error):
                    line.outcome, line.stack = "malformed", False
                raise

    logged_execute._logged = True  # type: ignore[attr-defined]
    BaseStateEventProcessor._execute_event = logged_execute  # type: ignore[method-assign]
