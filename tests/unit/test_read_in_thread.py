"""``read_in_thread``: a read a tab waits on gives up at the read bound."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time

import pytest

from support_app import db
from support_app.db import DatabaseNotAnswering, read_in_thread
from support_app.settings import DatabaseTimeouts, get_settings
from tests.conftest import run_coroutine


@pytest.fixture
def one_second_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 s read bound, no cut-off remembered, fail-fast reads after one of 0.2 s."""
    monkeypatch.setattr(db, "_last_cut_off", -db.NOT_ANSWERING_MEMORY_S)
    monkeypatch.setattr(db, "NOT_ANSWERING_WAIT_S", 0.2)
    settings = get_settings()
    bounded = dataclasses.replace(settings, database=DatabaseTimeouts(read_wait_seconds=1))
    monkeypatch.setattr(db, "get_settings", lambda: bounded)


def test_a_read_that_answers_in_time_returns_its_value(one_second_bound: None) -> None:
    assert run_coroutine(read_in_thread(lambda a, b: a + b, 2, 3)) == 5


def test_a_read_that_hangs_ends_at_the_bound_as_a_database_error(one_second_bound: None) -> None:
    release = threading.Event()

    def frozen_server() -> str:
        release.wait(10)
        return "late"

    async def waited() -> float:
        started = time.monotonic()
        try:
            await read_in_thread(frozen_server)
        except DatabaseNotAnswering:
            return time.monotonic() - started
        finally:
            release.set()  # the "server" thaws: the thread ends, and the loop can close
        raise AssertionError("the read was not cut off")

    assert 0.9 < run_coroutine(waited()) < 3


def test_after_a_cut_off_reads_fail_fast_until_one_answers(one_second_bound: None) -> None:
    release = threading.Event()

    def frozen_server() -> str:
        release.wait(10)
        return "late"

    async def drill() -> tuple[float, str]:
        try:
            with contextlib.suppress(DatabaseNotAnswering):
                await read_in_thread(frozen_server)  # the first waits the whole bound
            started = time.monotonic()
            with contextlib.suppress(DatabaseNotAnswering):
                await read_in_thread(frozen_server)
            second = time.monotonic() - started
        finally:
            release.set()
        answered = await read_in_thread(lambda: "back")  # one answers: full bound again
        return second, answered

    second, answered = run_coroutine(drill())
    assert second < 0.6 and answered == "back"
    assert db._last_cut_off < 0  # forgotten once a read answered


def test_reads_stuck_on_a_frozen_server_leave_the_shared_threads_free(
    one_second_bound: None,
) -> None:
    """More stuck reads than asyncio's shared pool has threads: other work that runs in
    a thread (the dialog's redaction preview) still starts at once, and a read queued
    behind the stuck ones still ends at its bound."""
    release = threading.Event()

    def frozen_server() -> None:
        release.wait(30)

    async def scenario() -> tuple[float, float]:
        try:
            stuck = [read_in_thread(frozen_server) for _ in range(db.READ_THREADS + 4)]
            for outcome in await asyncio.gather(*stuck, return_exceptions=True):
                assert isinstance(outcome, DatabaseNotAnswering)
            started = time.monotonic()
            await asyncio.to_thread(lambda: None)
            other_work = time.monotonic() - started
            started = time.monotonic()
            with contextlib.suppress(DatabaseNotAnswering):
                await read_in_thread(frozen_server)
            queued_read = time.monotonic() - started
            return other_work, queued_read
        finally:
            release.set()

    other_work, queued_read = run_coroutine(scenario())
    assert other_work < 0.5, other_work
    assert queued_read < 1.5, queued_read
