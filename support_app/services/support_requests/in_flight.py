"""A submit in flight, as the tab remembers it, and what became of it.

Why: a backend worker can die mid-submit (SIGKILL, out of memory). Its tab
reconnects to another worker, and the tab's state (shared in Redis) still says
"submitting", but no process will ever finish that submit. So every submit gets
its reference *before* anything is stored and records which process runs it; the
worker the tab lands on asks whether that process still lives, and if not, looks
the reference up: the request is stored (show its reference and what is known of
its handoff) or it is not (say "not sent"; the typed text is still in the dialog).

A process on another host is asked through its lease (``worker_lease``): gone once
the lease is, a few seconds after the process stopped. Only when the lease store
cannot answer does its submit count as gone once it has run longer than any live
submit can (``FOREIGN_OWNER_BOUND_S``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from support_app.models import SupportRequest
from support_app.process_identity import this_process
from support_app.services.access import Actor
from support_app.services.support_desk.handoff import app_stopped_failure
from support_app.services.support_requests.finalisation import (
    PendingHandoff,
    record_outcome,
    recorded_outcome,
)
from support_app.services.support_requests.form import INTERNAL_ONLY
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.submission import SubmissionResult
from support_app.worker_lease import LeaseStore, owner_gone

# When the lease store cannot answer: longer than a live submit takes (database
# waits are bounded by the settings' timeouts and the desk call by its total
# deadline, all well below this; not a write already sent to a database that is
# frozen for longer: only for a worker on another host could that be taken for
# abandoned, and reported "not sent" too early).
FOREIGN_OWNER_BOUND_S = 120.0

_RUNNING: set[str] = set()  # references this process is submitting right now
_WATCHED: set[str] = set()  # references whose fate this process is waiting to settle


@dataclass(frozen=True)
class SubmitAttempt:
    """One click on Submit: the reference it stores under and who runs it."""

    reference: str
    owner: str
    started_at: float  # epoch seconds

    @classmethod
    def start(cls) -> SubmitAttempt:
        return cls(SupportRequestReference.generate(), this_process(), time.time())

    def is_abandoned(self, now: float | None = None, leases: LeaseStore | None = None) -> bool:
        """True when no process will finish this submit any more (blocking: a lease
        may be looked up)."""
        if self.owner == this_process():
            return self.reference not in _RUNNING
        gone = owner_gone(self.owner, leases)
        if gone is None:  # nobody can tell: gone once its submit is overdue
            return (now if now is not None else time.time()) - self.started_at > (
                FOREIGN_OWNER_BOUND_S
            )
        return gone


@contextmanager
def running(attempt: SubmitAttempt) -> Iterator[None]:
    """Marks ``attempt`` as being run by this process for the duration."""
    _RUNNING.add(attempt.reference)
    try:
        yield
    finally:
        _RUNNING.discard(attempt.reference)


@contextmanager
def watching(reference: str) -> Iterator[bool]:
    """Yields True for the first watcher of ``reference`` in this process, False for
    any other meanwhile (a page loaded twice, or a forged call, must not add more)."""
    if reference in _WATCHED:
        yield False
        return
    _WATCHED.add(reference)
    try:
        yield True
    finally:
        _WATCHED.discard(reference)


def settle_stored_attempt(engine: Engine, actor: Actor, reference: str) -> SubmissionResult | None:
    """The request ``actor`` submitted under ``reference``, or None if none was stored.

    Only for an abandoned attempt. A create whose desk call died with its worker is
    finalised here as ``app_stopped`` (that worker is known to be gone, so nothing
    else will record an answer; the call may have reached the desk, which the
    failure text says). Only the actor's own request is ever found: a reference from
    anyone else's reads as "not stored".
    """
    with Session(engine, expire_on_commit=False) as session:
        request = session.exec(
            select(SupportRequest).where(
                col(SupportRequest.reference) == reference,
                col(SupportRequest.created_by_user_id) == actor.user_id,
            )
        ).first()
    if request is None:
        return None
    if request.external_handoff_mode == INTERNAL_ONLY:
        return SubmissionResult.of(request)
    outcome = recorded_outcome(request) or record_outcome(
        engine, PendingHandoff.of(request), app_stopped_failure(reference), actor.user_id
    )
    return SubmissionResult.of(request, outcome)
