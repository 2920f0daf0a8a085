"""A desk answer that is known but could not be written is retried, never dropped.

The request itself is committed before the desk call, so when the database goes away
during the call (a restart, a failover) the desk's answer is known and only its write
fails. Giving up would leave the request pending until a sweep records "outcome
unknown" over an outcome that *was* known (the review saw a closed connection turned
into ``app_stopped`` 117 s later). So the write is retried in this process with a
bounded back-off - quickly at first, then every ``SLOW_RETRY_SECONDS`` - until it is
recorded or another finalisation (a sweep) got there first. While it waits, this
process's own sweep records the known outcome instead of "unknown"
(``known_outcome``).

The retries are tasks of their own: the browser that asked may be long gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from support_app.services.support_desk.contract import HandoffOutcome
from support_app.services.support_requests.finalisation import (
    HandoffAlreadyFinalised,
    PendingHandoff,
    record_outcome,
)

logger = logging.getLogger(__name__)

# About 30 s of quick retries (a database restart), then one every SLOW_RETRY_SECONDS.
QUICK_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
SLOW_RETRY_SECONDS = 30.0


@dataclass(frozen=True)
class UnrecordedOutcome:
    pending: PendingHandoff
    outcome: HandoffOutcome
    user_id: int | None


_waiting: dict[int, UnrecordedOutcome] = {}
_tasks: set[asyncio.Task[None]] = set()


def known_outcome(request_id: int) -> UnrecordedOutcome | None:
    """The answer this process knows for a request whose write is still being retried."""
    return _waiting.get(request_id)


def keep_recording(
    engine: Engine,
    pending: PendingHandoff,
    outcome: HandoffOutcome,
    user_id: int | None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> asyncio.Task[None]:
    """Retry writing ``outcome`` in the background until it is stored (or superseded)."""
    _waiting[pending.request_id] = UnrecordedOutcome(pending, outcome, user_id)
    task = asyncio.get_running_loop().create_task(
        _retry(engine, pending.request_id, sleep), name=f"record-outcome-{pending.reference}"
    )
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def _retry(engine: Engine, request_id: int, sleep: Callable[[float], Awaitable[None]]):
    attempt = 0
    try:
        while (waiting := _waiting.get(request_id)) is not None:
            delay = (
                QUICK_RETRY_DELAYS[attempt]
                if attempt < len(QUICK_RETRY_DELAYS)
                else SLOW_RETRY_SECONDS
            )
            await sleep(delay)
            attempt += 1
            try:
                await asyncio.to_thread(
                    record_outcome, engine, waiting.pending, waiting.outcome, waiting.user_id
                )
            except HandoffAlreadyFinalised:
                return  # recorded by someone else (or never pending): nothing left to do
            except SQLAlchemyError as error:
                if attempt == len(QUICK_RETRY_DELAYS):
                    logger.error(
                        "handoff outcome of %s still not recorded after %d attempts (%s);"
                        " retrying every %.0f s",
                        waiting.pending.reference,
                        attempt + 1,
                        type(error).__name__,
                        SLOW_RETRY_SECONDS,
                    )
                continue
            logger.warning(
                "handoff outcome of %s recorded after %d retries",
                waiting.pending.reference,
                attempt,
            )
            return
    finally:
        _waiting.pop(request_id, None)
