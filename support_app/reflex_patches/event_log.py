"""One structured log line per event (``support_app.logs.logged_event``).

Reflex 0.10 has no hook around an event's execution (middleware ``postprocess`` is
never called), so the event processor's one execution step is wrapped once per
process: each event writes one line with its handler (the registered name only, as
``state.handler``: frames with unknown names never get here, see ``event_screen``),
its id (Reflex's transaction id), duration, outcome and the session's fingerprint;
the same handler name, outcome and duration go to ``/metrics`` (``metrics``).
A failure of our code is one ERROR record with its stack (rate-limited by
``logs.RepeatLimit``); a malformed call or an outage is one WARNING line with that
outcome and nothing else (the client's arguments may be in an exception's text, and
an outage is reported once, by ``event_errors``).

The same step is where an event waits on the state store, so the store is bounded
here too (``bound_state_store``): redis-py waits for a reply without end, and a
frozen Redis (SIGSTOP, a paused VM) accepts the command and never answers, so one
click hung its tab's events for as long as the freeze lasted, with no message and
no log line. Each command of the state manager's client (taking the tab's lock,
reading and writing its state, releasing the lock) now fails after
``SUPPORT_APP_REDIS_COMMAND_TIMEOUT_SECONDS`` with a Redis ``TimeoutError``, which
``event_errors`` answers like any outage: a client-side "temporarily unavailable"
toast, the cause logged once. Not a socket read timeout (``settings.
bounded_redis_url`` says why): the pub/sub listeners use connections of their own
and keep waiting quietly. A lock request cut short is undone once Redis answers
again, so the thaw does not leave the tab locked (``BoundedCommands``).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from support_app import lifecycle, metrics
from support_app.logs import EventLog, logged_event
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


# Deletes a key only while it still holds the value it was set to.
_DELETE_IF_UNCHANGED = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)


class BoundedCommands:
    """A Redis client's ``execute_command``, cut after ``seconds`` (redis-py's own
    retries and reconnecting included) with a Redis ``TimeoutError``; every failed
    command counts as a Redis error in ``/metrics``.

    A command cut short leaves its connection closed (redis-py drops a connection
    whose reply was not read), so no later command reads a stale reply. But the cut
    does not undo the command: a frozen Redis still carries it out when it thaws,
    however late. For a tab's lock request (``SET key id PX … NX``, the only ``NX``
    write of the state manager) that would leave the tab locked by an event that
    already failed, for the lock's whole expiry (Reflex's 10 s) from the thaw, and
    its next action would wait that long without a word. So each ``SET … NX`` cut
    short is undone - deleted if the key still holds its value - after the next
    command Redis answers: a thawed Redis carries out everything it had received
    before it answers anything sent later.
    """

    def __init__(self, command: Callable[..., Awaitable[Any]], seconds: float) -> None:
        self._command, self._seconds = command, seconds
        self._cut_short: dict[tuple[Any, Any], None] = {}  # (key, value), oldest first

    async def __call__(self, *args: Any, **options: Any) -> Any:
        try:
            async with asyncio.timeout(self._seconds):
                answer = await self._command(*args, **options)
        except (RedisError, ConnectionError):
            metrics.dependency_error("redis")
            raise
        except TimeoutError as error:
            metrics.dependency_error("redis")
            if _is_nx_write(args) and len(self._cut_short) < _CUT_SHORT_KEPT:
                self._cut_short[(args[1], args[2])] = None
            name = args[0] if args else "command"  # never keys or values: client tokens
            raise RedisTimeoutError(
                f"the state store did not answer {name} within {self._seconds:g} s"
            ) from error
        while self._cut_short:
            key, value = next(iter(self._cut_short))
            try:
                async with asyncio.timeout(self._seconds):
                    await self._command("EVAL", _DELETE_IF_UNCHANGED, 1, key, value)
            except (TimeoutError, RedisError):
                break  # Redis is away again: after its next answer
            self._cut_short.pop((key, value), None)
        return answer


# More lock requests cut short than this in one outage expire by themselves.
_CUT_SHORT_KEPT = 10_000


def _is_nx_write(args: tuple[Any, ...]) -> bool:
    """``SET key value … NX``: written only if the key did not exist."""
    return len(args) >= 3 and str(args[0]).upper() == "SET" and "NX" in args[3:]


def bound_state_store(state_manager: object, seconds: float) -> None:
    """Every command of ``state_manager``'s Redis client answers within ``seconds`` or
    fails (``BoundedCommands``). Without Redis (the in-memory manager) there is
    nothing to bound."""
    client = getattr(state_manager, "redis", None)
    if client is None or isinstance(client.execute_command, BoundedCommands):
        return
    client.execute_command = BoundedCommands(client.execute_command, seconds)


def install(app: Any) -> None:
    """Wrap the event processor's execution step (logged, counted while in flight)
    and bound ``app``'s state store (once per process)."""
    bound_state_store(app.state_manager, get_settings().redis_command_seconds)
    execute = BaseStateEventProcessor._execute_event
    if getattr(execute, "_logged", False):
        return

    @functools.wraps(execute)
    async def logged_execute(self, *, entry, registered_handler) -> None:
        lifecycle.event_started()  # a draining worker waits for these (graceful_shutdown)
        try:
            await _logged(self, entry=entry, registered_handler=registered_handler)
        finally:
            lifecycle.event_ended()

    async def _logged(self, *, entry, registered_handler) -> None:
        name, started = short_name(entry.event.name), time.perf_counter()
        line = EventLog(name)
        try:
            with logged_event(name, session=_session_of(entry.ctx.router_data)) as line:
                line.event_id = entry.ctx.txid or line.event_id
                try:
                    await execute(self, entry=entry, registered_handler=registered_handler)
                except Exception as error:
                    if infrastructure_cause(error) is not None:
                        line.outcome, line.stack = "unavailable", False
                    elif raised_by_the_call(error):
                        line.outcome, line.stack = "malformed", False
                    raise
        finally:  # the outcome as logged, the failures' included
            metrics.event_handled(name, line.outcome, time.perf_counter() - started)

    logged_execute._logged = True  # type: ignore[attr-defined]
    BaseStateEventProcessor._execute_event = logged_execute  # type: ignore[method-assign]
