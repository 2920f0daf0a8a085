"""A submit whose worker died: who can tell it is abandoned, and what it left stored.

The browser drill (tests/resilience/test_worker_drills.py) kills a real worker; here
each rule is pinned on both databases, including the cases a drill cannot time.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.process_identity import this_process
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.in_flight import (
    FOREIGN_OWNER_BOUND_S,
    SubmitAttempt,
    running,
    settle_stored_attempt,
    watching,
)
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from tests.conftest import actor_for, run_coroutine
from tests.feature.support_requests.conftest import pending_request, submit, tenant_id


def test_an_attempt_of_this_process_is_abandoned_only_once_it_stops_running() -> None:
    attempt = SubmitAttempt.start()
    assert attempt.owner == this_process()
    with running(attempt):
        assert not attempt.is_abandoned()
    assert attempt.is_abandoned()  # ended without settling the tab: nobody else will


def test_an_attempt_of_another_process_on_this_host_lives_as_long_as_that_process() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        ticks = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        owner = f"{socket.gethostname()}:{child.pid}:{ticks}"
        attempt = SubmitAttempt(SupportRequestReference.generate(), owner, time.time())
        assert not attempt.is_abandoned()
        # The same pid with another start time is another process (a reused pid).
        reused = SubmitAttempt(attempt.reference, f"{owner}0", time.time())
        assert reused.is_abandoned()
    finally:
        child.kill()
        child.wait()
    assert attempt.is_abandoned()  # killed, like a worker under SIGKILL


class _Leases:
    """A lease store whose answer the test sets (None: cannot tell; raises: away)."""

    def __init__(self, held: bool | Exception | None) -> None:
        self.answer = held

    def held(self, owner: str) -> bool | None:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_an_attempt_of_another_host_lives_as_long_as_its_lease() -> None:
    attempt = SubmitAttempt(SupportRequestReference.generate(), "elsewhere:4242:99", time.time())
    leases = _Leases(True)
    assert not attempt.is_abandoned(leases=leases)
    leases.answer = False  # the lease ran out: the host was lost
    assert attempt.is_abandoned(leases=leases)


def test_without_a_lease_answer_another_hosts_attempt_is_abandoned_after_the_bound() -> None:
    started = time.time()
    attempt = SubmitAttempt(SupportRequestReference.generate(), "elsewhere:4242:99", started)
    for leases in (_Leases(ConnectionError("store away")), _Leases(None)):
        assert not attempt.is_abandoned(now=started + FOREIGN_OWNER_BOUND_S - 1, leases=leases)
        assert attempt.is_abandoned(now=started + FOREIGN_OWNER_BOUND_S + 1, leases=leases)


def test_the_service_stores_the_request_under_the_attempts_reference(
    engine: Engine, session: Session
) -> None:
    actor = actor_for(session, "operator@contoso.example")
    reference = SupportRequestReference.generate()
    service = SupportRequestSubmissionService(engine)
    form = SupportRequestForm(severity="high", summary="Backups fail since Monday")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    result = run_coroutine(service.submit(actor, context, form, reference))
    assert result.reference == reference
    assert session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def test_nothing_stored_settles_as_not_sent(engine: Engine, session: Session) -> None:
    actor = actor_for(session, "operator@contoso.example")
    assert settle_stored_attempt(engine, actor, SupportRequestReference.generate()) is None


def test_a_stored_internal_request_settles_with_its_reference(
    engine: Engine, session: Session
) -> None:
    actor = actor_for(session, "operator@contoso.example")
    stored = submit(engine, actor, SupportContext("tenant", tenant_id(session, "Fabrikam")))
    settled = settle_stored_attempt(engine, actor, stored.reference)
    assert settled is not None
    assert settled.as_display() == stored.as_display()


def test_only_the_submitter_finds_the_request(engine: Engine, session: Session) -> None:
    operator = actor_for(session, "operator@contoso.example")
    owner = actor_for(session, "owner@contoso.example")
    stored = submit(engine, operator, SupportContext("tenant", tenant_id(session, "Fabrikam")))
    assert settle_stored_attempt(engine, owner, stored.reference) is None


def test_a_create_left_pending_by_the_dead_worker_is_recorded_as_app_stopped_once(
    engine: Engine, session: Session
) -> None:
    pending = pending_request(engine, session)  # created by owner@, desk call never ended
    owner = actor_for(session, "owner@contoso.example")
    settled = settle_stored_attempt(engine, owner, pending.reference)
    assert settled is not None and settled.outcome_recorded
    assert settled.failure_kind == "app_stopped"
    assert pending.reference in (settled.failure_summary or "")
    again = settle_stored_attempt(engine, owner, pending.reference)  # a second tab, a retry
    assert again == settled
    actions = session.exec(
        select(AuditLog.action)
        .where(AuditLog.subject_id == pending.reference)
        .order_by(AuditLog.id)
    ).all()
    assert actions == ["support_request.external_handoff_failed"]  # recorded exactly once


def test_a_killed_worker_not_yet_reaped_counts_as_gone() -> None:
    child = subprocess.Popen(["sleep", "30"])
    ticks = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    attempt = SubmitAttempt(
        SupportRequestReference.generate(),
        f"{socket.gethostname()}:{child.pid}:{ticks}",
        time.time(),
    )
    child.kill()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        assert attempt.is_abandoned()  # a zombie: dead, its parent has not waited yet
    finally:
        child.wait()


def test_one_watcher_per_attempt_and_process() -> None:
    reference = SupportRequestReference.generate()
    with watching(reference) as first, watching(reference) as second:
        assert (first, second) == (True, False)
    with watching(reference) as again:
        assert again  # the first one finished: a later page load may watch again
