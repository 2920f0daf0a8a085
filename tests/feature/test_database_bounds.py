"""Every database wait ends within its bound (``Settings.database``), with an error.

PostgreSQL: a lock wait (``lock_timeout``), a long statement (``statement_timeout``),
opening a connection to a server that accepts and never answers (``connect_timeout``)
and waiting for a pool connection. SQLite: a writer waiting for another one
(``busy_timeout``).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from support_app import migrations
from support_app.db import create_db_engine
from support_app.settings import DatabaseTimeouts

TIGHT = DatabaseTimeouts(connect_seconds=2, pool_seconds=1, statement_seconds=2, lock_seconds=1)
SLACK_S = 1.0


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def tight_pg_engine(pg_engine: Engine) -> Iterator[Engine]:
    engine = create_db_engine(_url(pg_engine), TIGHT)
    yield engine
    engine.dispose()


def test_a_postgresql_lock_wait_ends_with_an_error_at_the_lock_bound(
    pg_engine: Engine, tight_pg_engine: Engine
) -> None:
    with pg_engine.connect() as holder:
        holder.execute(text("SELECT id FROM users ORDER BY id LIMIT 1 FOR UPDATE"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="lock timeout"), tight_pg_engine.connect() as c:
            c.execute(text("SELECT id FROM users ORDER BY id LIMIT 1 FOR UPDATE"))
        elapsed = time.monotonic() - started
        holder.rollback()
    assert TIGHT.lock_seconds <= elapsed + 0.1 < TIGHT.lock_seconds + SLACK_S, elapsed


def test_a_long_postgresql_statement_ends_with_an_error_at_the_statement_bound(
    tight_pg_engine: Engine,
) -> None:
    started = time.monotonic()
    with pytest.raises(OperationalError, match="statement timeout"), tight_pg_engine.connect() as c:
        c.execute(text("SELECT pg_sleep(30)"))
    assert time.monotonic() - started < TIGHT.statement_seconds + SLACK_S


def test_migrations_keep_the_lock_bound_but_not_the_statement_bound(pg_engine: Engine) -> None:
    engine = create_db_engine(_url(pg_engine), TIGHT, maintenance=True)
    try:
        with engine.connect() as c:
            assert c.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert c.execute(text("SHOW lock_timeout")).scalar() == "1s"
    finally:
        engine.dispose()


def test_connecting_to_a_postgresql_that_never_answers_ends_at_the_connect_bound() -> None:
    with socket.socket() as frozen:
        frozen.bind(("127.0.0.1", 0))
        frozen.listen(4)
        port = frozen.getsockname()[1]
        engine = create_db_engine(f"postgresql+psycopg://app@127.0.0.1:{port}/x", TIGHT)
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect():
            pass
        elapsed = time.monotonic() - started
        engine.dispose()
    assert elapsed < TIGHT.connect_seconds + SLACK_S, elapsed


def test_waiting_for_a_pool_connection_ends_at_the_pool_bound(tight_pg_engine: Engine) -> None:
    pool = tight_pg_engine.pool
    held = [tight_pg_engine.connect() for _ in range(pool.size() + pool._max_overflow)]
    try:
        started = time.monotonic()
        with pytest.raises(PoolTimeout), tight_pg_engine.connect():
            pass
        assert time.monotonic() - started < TIGHT.pool_seconds + SLACK_S
    finally:
        for connection in held:
            connection.close()


def test_a_sqlite_writer_waits_for_another_at_most_the_lock_bound(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bounds.db'}"
    migrations.upgrade(url)
    engine = create_db_engine(url, TIGHT)
    holder = engine.raw_connection()
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), engine.connect() as c:
            c.exec_driver_sql("BEGIN IMMEDIATE")
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    assert TIGHT.lock_seconds - 0.1 <= elapsed < TIGHT.lock_seconds + SLACK_S, elapsed
