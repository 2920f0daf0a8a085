"""No handoff left pending for ever: the stale-handoff sweep, on SQLite and PostgreSQL.

The headline test is the real thing: a separate process submits a create against the
desk emulator in hang mode, is killed mid-call, and the sweep (the CLI, as at a
restart) records the failure and its audit row.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from support_app.models import AuditLog, SupportRequest
from support_app.models.clock import utcnow
from support_app.services.support_desk.emulator import DeskEmulatorServer, serving_in_background
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests import stale_handoffs
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.stale_handoffs import (
    STALE_AFTER,
    finalise_stale_handoffs,
    stale_handoff_sweeper,
)
from support_app.settings import SupportDeskTarget, get_settings
from tests.conftest import actor_for, run_coroutine
from tests.feature.support_requests.conftest import pending_request, submit, tenant_id

REPO = Path(__file__).resolve().parents[3]
EMAIL, TOKEN = "agent@desk.example", "stale-test-token"


def _summary(reference: str, kind: str = "app_stopped") -> str:
    if kind == "outcome_not_recorded":
        return (
            "The desk's answer was not recorded (the app stopped, or could not reach its"
            " database in time); the outcome is unknown and the desk may already hold a"
            f" ticket with external id {reference}."
        )
    return (
        "The app stopped before the desk answered; the outcome is unknown and the desk"
        f" may already hold a ticket with external id {reference}."
    )


def _row(engine: Engine, reference: str) -> SupportRequest:
    with Session(engine) as s:
        return s.exec(
            select(SupportRequest).where(SupportRequest.reference == reference)
        ).scalar_one()


def _audits(engine: Engine, reference: str) -> list[AuditLog]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(AuditLog).where(AuditLog.subject_id == reference).order_by(AuditLog.id)
            ).scalars()
        )


def _assert_app_stopped(engine: Engine, reference: str, kind: str = "app_stopped") -> None:
    row = _row(engine, reference)
    assert row.external_handoff_failure_summary == _summary(reference, kind)
    assert row.external_handoff_failure_kind == kind
    assert row.external_handoff_failure_params == {"reference": reference}
    assert (row.external_ticket_reference, row.external_ticket_url) == (None, None)
    failed = _audits(engine, reference)[-1]
    assert failed.action == "support_request.external_handoff_failed"
    assert failed.actor_user_id is None  # the app itself, not a person
    assert (failed.tenant_id, failed.workspace_id) == (row.tenant_id, row.workspace_id)
    assert failed.metadata_json == {
        "reference": reference,
        "handoff_mode": "create_external_ticket",
        "failure_kind": kind,
        "failure_summary": _summary(reference, kind),
    }


@pytest.fixture
def hanging_desk() -> Iterator[DeskEmulatorServer]:
    with serving_in_background(email=EMAIL, token=TOKEN, fault="hang", quiet=True) as server:
        yield server


def test_a_process_killed_mid_call_leaves_a_failure_after_the_sweep(
    engine: Engine, hanging_desk: DeskEmulatorServer
) -> None:
    env = {
        **os.environ,
        "REFLEX_DB_URL": engine.url.render_as_string(hide_password=False),
        "SUPPORT_DESK_URL": hanging_desk.base_url,
        "SUPPORT_DESK_EMAIL": EMAIL,
        "SUPPORT_DESK_API_TOKEN": TOKEN,
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "tests.feature.support_requests.submit_create"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while hanging_desk.state.create_requests == 0:  # the desk call is in flight
            assert app.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        app.kill()
        app.wait(timeout=10)

    with Session(engine) as s:
        (pending,) = s.exec(
            select(SupportRequest).where(
                col(SupportRequest.external_handoff_mode) == "create_external_ticket"
            )
        ).scalars()
    reference = pending.reference
    assert pending.external_handoff_failure_summary is None  # what a crash leaves behind
    assert [a.action for a in _audits(engine, reference)] == ["support_request.created"]

    # A restart: the start-up sweep, here by its command (age threshold 0: no waiting).
    swept = subprocess.run(
        [sys.executable, "-m", "support_app", "finalise-stale-handoffs", "--older-than", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert swept.returncode == 0, swept.stderr
    assert reference in swept.stdout
    _assert_app_stopped(engine, reference)
    assert [a.action for a in _audits(engine, reference)] == [
        "support_request.created",
        "support_request.external_handoff_failed",
    ]


def test_only_handoffs_older_than_deadline_plus_margin_are_swept(
    engine: Engine, session: Session
) -> None:
    assert timedelta(seconds=65) == STALE_AFTER  # the 5 s desk deadline plus a minute
    now = utcnow()
    old = pending_request(engine, session, created_at=now - STALE_AFTER - timedelta(seconds=1))
    young = pending_request(engine, session, created_at=now - STALE_AFTER + timedelta(seconds=5))
    owner = actor_for(session, "owner@contoso.example")
    fabrikam = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    internal = submit(engine, owner, fabrikam)
    linked = submit(
        engine,
        owner,
        fabrikam,
        SupportRequestForm(
            severity="low", summary="s", handoff_mode="link_existing_ticket", external_reference="1"
        ),
    )

    assert finalise_stale_handoffs(engine, now=now) == [old.reference]
    _assert_app_stopped(engine, old.reference)
    assert _row(engine, young.reference).external_handoff_failure_summary is None
    assert _row(engine, internal.reference).external_handoff_failure_summary is None
    assert _row(engine, linked.reference).external_ticket_reference == "#1"
    # A second sweep finds nothing: the failure is final, with exactly one audit row.
    assert finalise_stale_handoffs(engine, now=now) == []
    assert len(_audits(engine, old.reference)) == 1


def test_a_real_finalisation_that_comes_first_stands(engine: Engine, session: Session) -> None:
    def sweep_during_the_call(request: httpx.Request) -> httpx.Response:
        # Another worker's sweep runs while this create is still in flight.
        swept.extend(finalise_stale_handoffs(engine, older_than=timedelta(0)))
        return httpx.Response(201, json={"ticket": {"id": 9}})

    swept: list[str] = []
    desk = ExternalSupportDeskHandoffService(
        SupportDeskTarget("https://desk.example", EMAIL, TOKEN),
        transport=httpx.MockTransport(sweep_during_the_call),
    )
    result = submit(
        engine,
        actor_for(session, "owner@contoso.example"),
        SupportContext("tenant", tenant_id(session, "Fabrikam")),
        SupportRequestForm(severity="high", summary="s", handoff_mode="create_external_ticket"),
        desk,
    )
    # The sweep won the conditional UPDATE; the submission reports what was stored.
    assert swept == [result.reference]
    assert result.external_reference is None
    assert (result.failure_kind, result.failure_summary) == (
        "app_stopped",
        _summary(result.reference),
    )
    assert result.as_display()["failure_params"] == f'{{"reference":"{result.reference}"}}'
    _assert_app_stopped(engine, result.reference)
    assert len(_audits(engine, result.reference)) == 2  # created + failed, not a third


def test_a_sweep_after_the_finalisation_changes_nothing(engine: Engine, session: Session) -> None:
    result = submit(
        engine,
        actor_for(session, "owner@contoso.example"),
        SupportContext("tenant", tenant_id(session, "Fabrikam")),
        SupportRequestForm(severity="high", summary="s", handoff_mode="create_external_ticket"),
        ExternalSupportDeskHandoffService(
            SupportDeskTarget("https://desk.example", EMAIL, TOKEN),
            transport=httpx.MockTransport(
                lambda request: httpx.Response(201, json={"ticket": {"id": 3}})
            ),
        ),
    )
    assert finalise_stale_handoffs(engine, older_than=timedelta(0)) == []
    assert _row(engine, result.reference).external_ticket_reference == "#3"


def test_on_postgresql_only_one_worker_sweeps(pg_engine: Engine) -> None:
    with Session(pg_engine) as session:
        pending = pending_request(pg_engine, session)
    with pg_engine.connect() as other_worker:
        held = select(func.pg_try_advisory_lock(stale_handoffs._ADVISORY_LOCK_KEY))
        assert other_worker.execute(held).scalar() is True
        assert finalise_stale_handoffs(pg_engine, older_than=timedelta(0)) == []
        other_worker.execute(select(func.pg_advisory_unlock(stale_handoffs._ADVISORY_LOCK_KEY)))
    assert finalise_stale_handoffs(pg_engine, older_than=timedelta(0)) == [pending.reference]


@pytest.mark.parametrize(("multi_worker", "sweeps"), [(False, 2), (True, 5)])
def test_the_lifespan_task_sweeps_at_start_and_on_schedule(
    engine: Engine,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    multi_worker: bool,
    sweeps: int,
) -> None:
    stale = pending_request(engine, session, created_at=utcnow() - timedelta(minutes=5))
    runs: list[list[str]] = []
    waits: list[float] = []

    def recording_sweep(engine_: Engine, unknown_outcome) -> list[str]:
        runs.append(finalise_stale_handoffs(engine_, unknown_outcome=unknown_outcome))
        return runs[-1]

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == sweeps:
            raise _Stop

    monkeypatch.setattr(stale_handoffs, "get_engine", lambda: engine)
    monkeypatch.setattr(stale_handoffs, "finalise_stale_handoffs", recording_sweep)
    monkeypatch.setenv("REFLEX_REDIS_URL", "redis://127.0.0.1:6379/11" if multi_worker else "")
    get_settings.cache_clear()
    try:
        if multi_worker:
            with pytest.raises(_Stop):
                run_coroutine(stale_handoff_sweeper(sleep=no_wait))
        else:
            run_coroutine(stale_handoff_sweeper(sleep=no_wait))
    finally:
        get_settings.cache_clear()

    assert runs[0] == [stale.reference]  # at start-up, before any wait
    assert waits[0] == STALE_AFTER.total_seconds()
    assert waits[1:] == [stale_handoffs.SWEEP_INTERVAL_SECONDS] * (len(waits) - 1)
    assert len(runs) == (2 if not multi_worker else sweeps)
    # Beside other workers, "the app stopped" is not known: only that nothing recorded it.
    kind = "outcome_not_recorded" if multi_worker else "app_stopped"
    _assert_app_stopped(engine, stale.reference, kind)


class _Stop(Exception):
    """Ends the endless multi-worker schedule in the test."""


def test_the_app_registers_the_sweeper() -> None:
    from support_app.support_app import app

    assert stale_handoff_sweeper in app.get_lifespan_tasks()
