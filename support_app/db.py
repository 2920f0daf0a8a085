"""Database engine: one per URL, tuned for concurrent users.

SQLite (the embedded default) runs in WAL mode with a busy timeout so that several
users writing at once wait briefly instead of failing with "database is locked".
Every wait is bounded (``Settings.database``): opening a connection, waiting for
one from the pool, a statement and a lock wait on PostgreSQL, the busy timeout on
SQLite. A database that does not answer in time ends the request with an error
the caller can report, never with a request that hangs. (A statement already sent
to a PostgreSQL that is frozen, not down, waits on the socket: the server enforces
``statement_timeout``, so such waits need a bound in the caller: ``/readyz`` has one,
and a tab's events read through ``read_in_thread``.)
SQLite keeps no planner statistics by itself: each connection runs ``PRAGMA
optimize`` (a bounded ``ANALYZE`` of the tables whose statistics are missing or
stale) when it closes, and the pool retires connections hourly so a long-running
app refreshes them too. ``refresh_statistics`` runs a full ``ANALYZE`` after
migrations on either database.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, create_engine

from support_app import metrics
from support_app.canonical_json import canonical_json
from support_app.settings import DatabaseTimeouts, get_settings

# Rows sampled per index by PRAGMA optimize (SQLite's recommended bound: milliseconds,
# not a full scan of a large table, whenever a connection closes).
SQLITE_ANALYSIS_LIMIT = 400
SQLITE_CONNECTION_MAX_AGE_S = 3600

# Dead-peer detection on PostgreSQL connections: about 20 s for an idle one, 10 s
# for data the server host never acknowledges.
KEEPALIVE_IDLE_S = 10
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 2
TCP_USER_TIMEOUT_MS = 10_000

# What a database that is down, past a bound or out of connections raises: the
# caller answers "temporarily unavailable" instead of an internal error.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    TimeoutError,
)


T = TypeVar("T")


class DatabaseNotAnswering(SQLAlchemyError):
    """A read did not answer within ``read_wait_seconds`` (a frozen or overloaded
    database): reported like any database outage. Nothing was written."""


# After a read was cut off, the next reads wait this long at most until one answers
# again: one event often makes two reads (the session, then the page), and a
# database known not to answer should not cost each of them the full bound.
NOT_ANSWERING_WAIT_S = 1.0
NOT_ANSWERING_MEMORY_S = 30.0
_last_cut_off = -NOT_ANSWERING_MEMORY_S  # monotonic time of the last read cut off

# The reads' own threads. A read cut off at its bound keeps its thread until a frozen
# server thaws; on asyncio's shared pool (cores + 4 threads) a few such reads left
# every other ``to_thread`` of the process queued behind them: the dialog's
# redaction preview, which runs while holding the tab's state lock, and with it the
# tab's next Submit, whose first reaction came 5.6 s late. Here they only use up
# the reads' own threads; a read queued behind them ends at its bound like any other.
READ_THREADS = 8
_reads = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="db-read")


async def read_in_thread(read: Callable[..., T], *args: object) -> T:
    """``read(*args)`` in one of the reads' threads, awaited for at most the read bound.

    For the reads a tab's event waits on, often while holding the tab's state lock:
    a frozen server would otherwise keep that lock until it thaws (and past the
    lock's expiry, which loses the event's state write). The thread itself finishes
    whenever the server answers. Only for reads: a write cut off this way could not
    say whether it was stored.
    """
    global _last_cut_off
    bound: float = get_settings().database.read_wait_seconds
    if time.monotonic() - _last_cut_off < NOT_ANSWERING_MEMORY_S:
        bound = min(bound, NOT_ANSWERING_WAIT_S)
    try:
        in_thread = asyncio.get_running_loop().run_in_executor(
            _reads, functools.partial(contextvars.copy_context().run, read, *args)
        )
        answer = await asyncio.wait_for(in_thread, timeout=bound)
    except TimeoutError as error:
        _last_cut_off = time.monotonic()
        metrics.dependency_error("database")
        raise DatabaseNotAnswering(f"no answer within {bound:g} s: {read.__name__}") from error
    _last_cut_off = -NOT_ANSWERING_MEMORY_S
    return answer


def _sqlite_configurer(busy_timeout_ms: int):
    def configure(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased text (a tombstone's former content, erased audit details) is zeroed
        # in its page rather than left readable in the file's free space, wherever
        # that costs no extra I/O (free-list pages keep traces until VACUUM).
        cursor.execute("PRAGMA secure_delete=FAST")
        cursor.close()

    return configure


def _optimize_sqlite(dbapi_connection, _record) -> None:
    """Refresh the planner statistics this connection's queries showed a need for."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    cursor.execute("PRAGMA optimize")
    cursor.close()


def _count_unavailable(context: ExceptionContext) -> None:
    """A statement or connection the database refused, dropped or timed out (not a
    constraint the app's own write broke) counts as a database error in ``/metrics``."""
    if context.is_disconnect or isinstance(
        context.sqlalchemy_exception, OperationalError | InterfaceError
    ):
        metrics.dependency_error("database")


def postgresql_options(timeouts: DatabaseTimeouts) -> str:
    """libpq ``options``: the server-side bounds every session of the app runs with
    (0 = none, for a migration's statements)."""
    return (
        f"-c statement_timeout={timeouts.statement_seconds * 1000}"
        f" -c lock_timeout={timeouts.lock_seconds * 1000}"
    )


def create_db_engine(
    url: str, timeouts: DatabaseTimeouts | None = None, *, maintenance: bool = False
) -> Engine:
    """A new engine for ``url`` with the project's connection settings.

    ``timeouts`` default to the configured ones. ``maintenance`` (migrations and
    ``ANALYZE``) lifts the statement bound only: building an index on a large
    table may take longer than any request should, but it still must not queue
    for a lock without end.
    """
    timeouts = timeouts or get_settings().database
    if maintenance:
        timeouts = replace(timeouts, statement_seconds=0)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=canonical_json,
            pool_recycle=SQLITE_CONNECTION_MAX_AGE_S,
            pool_timeout=timeouts.pool_seconds,
        )
        event.listen(engine, "connect", _sqlite_configurer(timeouts.lock_seconds * 1000))
        event.listen(engine, "close", _optimize_sqlite)
        event.listen(engine, "handle_error", _count_unavailable)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=timeouts.pool_seconds,
        json_serializer=canonical_json,
        connect_args={
            "connect_timeout": timeouts.connect_seconds,
            "options": postgresql_options(timeouts),
            # A database host that vanished (network partition, paused VM) never
            # answers or acknowledges: TCP keepalives and an unacknowledged-data
            # bound close such a connection instead of waiting for it forever.
            "keepalives": 1,
            "keepalives_idle": KEEPALIVE_IDLE_S,
            "keepalives_interval": KEEPALIVE_INTERVAL_S,
            "keepalives_count": KEEPALIVE_COUNT,
            "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
        },
    )
    event.listen(engine, "handle_error", _count_unavailable)
    return engine


def refresh_statistics(engine: Engine) -> None:
    """A full ``ANALYZE``, so the planner knows the tables and indexes (after migrations)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: the configured database)."""
    return create_db_engine(url or get_settings().db_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
