"""No handoff left pending for ever: finalise creates whose process never came back.

(A link makes no outbound call and is finalised in the transaction that creates the
request, so only creates can be left pending.)

A create handoff is committed before the desk call and finalised after it. If the
process stops in between (a crash, a kill, a deploy), nothing would ever finalise
it, and the request would show "pending" indefinitely. The sweep finalises every
create handoff pending for longer than the desk deadline plus a margin as failed
with its audit row: kind ``app_stopped`` at the start-up of a single worker (the
pending create was left by the stopped app), ``outcome_not_recorded`` otherwise (the
app ran on, but nothing recorded the answer). If this process knows the answer and
is still retrying its write (``outcome_recording``), the sweep records that answer.
All through ``finalise_handoff``, so it is still the request's one finalisation
write. A live worker cannot have a create
in flight that long (the desk call is cut at the deadline); should one still
finalise late, the conditional UPDATE decides who wins and the loser reports what
was stored.

When it runs (``stale_handoff_sweeper``, a Reflex lifespan task): at start-up, and
once more when the threshold has passed (a restart within the threshold would
otherwise leave the previous process's last creates for the next restart); in
multi-worker mode (``REFLEX_REDIS_URL``) every ``SWEEP_INTERVAL_SECONDS``. On
PostgreSQL a transaction-independent advisory lock lets one worker sweep while the
others skip; on SQLite the database's single writer serialises the sweeps and the
conditional UPDATE keeps a second sweep from finalising anything twice. By hand:
``python -m support_app finalise-stale-handoffs``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from support_app.db import get_engine
from support_app.models import SupportRequest
from support_app.models.clock import utcnow
from support_app.models.support_request import PENDING_CREATE
from support_app.services.support_desk.contract import HandoffOutcome
from support_app.services.support_desk.handoff import (
    DEFAULT_DEADLINE_SECONDS,
    app_stopped_failure,
    outcome_not_recorded_failure,
)
from support_app.services.support_requests.finalisation import (
    HandoffAlreadyFinalised,
    PendingHandoff,
    finalise_handoff,
)
from support_app.services.support_requests.outcome_recording import known_outcome
from support_app.settings import get_settings

STALE_MARGIN_SECONDS = 60.0
STALE_AFTER = timedelta(seconds=DEFAULT_DEADLINE_SECONDS + STALE_MARGIN_SECONDS)
SWEEP_INTERVAL_SECONDS = 60.0
SWEEP_BATCH = 500
# pg_try_advisory_lock key: any constant unique to this job ("SAstale" in ASCII).
_ADVISORY_LOCK_KEY = 0x5341_7374_616C_65

logger = logging.getLogger(__name__)


def finalise_stale_handoffs(
    engine: Engine,
    *,
    older_than: timedelta = STALE_AFTER,
    now: datetime | None = None,
    unknown_outcome: Callable[[str], HandoffOutcome] = app_stopped_failure,
) -> list[str]:
    """Finalise create handoffs pending since before ``now - older_than``; their references.

    Returns [] without looking when another worker holds the sweep (PostgreSQL).
    Each request is finalised in its own short transaction, so one slow or lost
    race never holds back the others.
    """
    cutoff = (now or utcnow()) - older_than
    finalised: list[str] = []
    with only_one_sweeper(engine, _ADVISORY_LOCK_KEY) as acquired:
        if not acquired:
            return finalised
        with Session(engine) as session:
            stale = session.exec(
                select(SupportRequest)
                # The partial index's own condition, as literal SQL: a planner can only
                # prove a bound parameter equals 'create_external_ticket' by peeking.
                .where(text(PENDING_CREATE), col(SupportRequest.created_at) <= cutoff)
                .order_by(col(SupportRequest.created_at), col(SupportRequest.id))
                .limit(SWEEP_BATCH)
            ).scalars()
            pending = [PendingHandoff.of(row) for row in stale]
        for handoff in pending:
            with Session(engine) as session:
                known = known_outcome(handoff.request_id)
                try:
                    if known is not None:  # this process has the answer, only not its write
                        finalise_handoff(session, handoff, known.outcome, known.user_id)
                    else:
                        outcome = unknown_outcome(handoff.reference)
                        finalise_handoff(session, handoff, outcome, actor_user_id=None)
                    session.commit()
                except HandoffAlreadyFinalised:
                    continue  # a real finalisation came first: it stands
            finalised.append(handoff.reference)
    return finalised


@contextmanager
def only_one_sweeper(engine: Engine, key: int) -> Iterator[bool]:
    """True for the one worker that may sweep now (PostgreSQL advisory lock ``key``;
    each periodic job has its own)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        acquired = bool(conn.execute(select(func.pg_try_advisory_lock(key))).scalar())
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(select(func.pg_advisory_unlock(key)))


async def stale_handoff_sweeper(
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Reflex lifespan task: sweep at start, after the threshold, and (multi-worker) on.

    ``sleep`` is only replaced by tests, to run the schedule without waiting.
    """
    multi_worker = get_settings().multi_worker
    # At start-up of the only worker, whatever is pending was left by a stopped app;
    # later, or beside other workers, all that is known is that nothing was recorded.
    await _sweep_once(outcome_not_recorded_failure if multi_worker else app_stopped_failure)
    await sleep(STALE_AFTER.total_seconds())
    await _sweep_once(outcome_not_recorded_failure)
    while multi_worker:
        await sleep(SWEEP_INTERVAL_SECONDS)
        await _sweep_once(outcome_not_recorded_failure)


async def _sweep_once(unknown_outcome: Callable[[str], HandoffOutcome]) -> None:
    try:
        finalised = await asyncio.to_thread(
            partial(finalise_stale_handoffs, get_engine(), unknown_outcome=unknown_outcome)
        )
    except Exception:  # a sweep must never take the app down; the next one retries
        logger.exception("Finalising stale handoffs failed")
        return
    if finalised:
        logger.warning(
            "Finalised %d handoff(s) whose desk answer was never recorded: %s",
            len(finalised),
            ", ".join(finalised),
        )
