"""This worker's lifecycle as the rest of the app sees it: serving, or draining.

A worker drains between the SIGTERM of a rolling deploy and its exit
(``reflex_patches.graceful_shutdown``): ``/readyz`` answers 503 from the first
moment, the event socket takes no new connections, and the events in flight
(counted here by ``reflex_patches.event_log``) are given time to finish.
"""

from __future__ import annotations

import asyncio
import time

_draining_since: float | None = None
_events_in_flight = 0


def draining() -> bool:
    """Whether this worker is on its way out (SIGTERM received)."""
    return _draining_since is not None


def start_draining() -> bool:
    """Mark this worker as draining; False if it already was."""
    global _draining_since
    if _draining_since is not None:
        return False
    _draining_since = time.monotonic()
    return True


def event_started() -> None:
    global _events_in_flight
    _events_in_flight += 1


def event_ended() -> None:
    global _events_in_flight
    _events_in_flight -= 1


def events_in_flight() -> int:
    return _events_in_flight


async def events_finished(timeout: float, poll: float = 0.05) -> bool:
    """Wait until no event is in flight, for at most ``timeout`` seconds; whether none is."""
    deadline = time.monotonic() + timeout
    while _events_in_flight > 0 and time.monotonic() < deadline:
        await asyncio.sleep(poll)
    return _events_in_flight <= 0
