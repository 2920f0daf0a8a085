"""Database engine: one per URL, tuned for concurrent users.

SQLite (the embedded default) runs in WAL mode with a busy timeout so that several
users writing at once wait briefly instead of failing with "database is locked".
SQLite keeps no planner statistics by itself: each connection runs ``PRAGMA
optimize`` (a bounded ``ANALYZE`` of the tables whose statistics are missing or
stale) when it closes, and the pool retires connections hourly so a long-running
app refreshes them too. ``refresh_statistics`` runs a full ``ANALYZE`` after
migrations on either database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from support_app.canonical_json import canonical_json
from support_app.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 5000
# Rows sampled per index by PRAGMA optimize (SQLite's recommended bound: milliseconds,
# not a full scan of a large table, whenever a connection closes).
SQLITE_ANALYSIS_LIMIT = 400
SQLITE_CONNECTION_MAX_AGE_S = 3600


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _optimize_sqlite(dbapi_connection, _record) -> None:
    """Refresh the planner statistics this connection's queries showed a need for."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    cursor.execute("PRAGMA optimize")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """A new engine for ``url`` with the project's connection settings."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=canonical_json,
            pool_recycle=SQLITE_CONNECTION_MAX_AGE_S,
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "close", _optimize_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=canonical_json)


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
