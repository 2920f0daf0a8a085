"""Our Alembic migrations on SQLite and PostgreSQL, and the models that mirror them.

Each test gets an empty scratch database (a temp file, or a database created on the
PostgreSQL server and dropped afterwards) and migrates it itself.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select

from support_app import migrations
from support_app.db import create_db_engine
from support_app.models import Workspace
from support_app.settings import DatabaseTimeouts
from tests.conftest import _pg_admin, _pg_url, migrate_and_seed

REVISIONS = [
    rev.revision
    for rev in reversed(
        list(ScriptDirectory.from_config(migrations.alembic_config()).walk_revisions())
    )
]
MODEL_TABLES = set(SQLModel.metadata.tables)


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"sa_mig_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _inspect(url: str, what) -> object:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return what(conn)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    return _inspect(url, lambda conn: set(inspect(conn).get_table_names()))


def _revision(url: str) -> str | None:
    return _inspect(url, lambda conn: MigrationContext.configure(conn).get_current_revision())


def _triggers_and_functions(url: str) -> set[str]:
    def query(conn) -> set[str]:
        if conn.dialect.name == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            sql = (
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " UNION SELECT p.proname FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            )
        return set(conn.execute(text(sql)).scalars())

    return _inspect(url, query)


def _schema_diff(url: str) -> list:
    def compare(conn) -> list:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, SQLModel.metadata)

    return _inspect(url, compare)


def _check_constraints(url: str) -> dict[str, set[str]]:
    """Named CHECK constraints per table (autogenerate does not compare these)."""

    def read(conn) -> dict[str, set[str]]:
        inspector = inspect(conn)
        return {
            table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in MODEL_TABLES
        }

    return _inspect(url, read)


def test_revisions_form_one_linear_history() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert len(script.get_heads()) == 1
    assert REVISIONS[0] == "0001_platform" and REVISIONS[-1] == script.get_current_head()


def test_upgrade_downgrade_to_base_and_upgrade_again(scratch_url: str) -> None:
    migrate_and_seed(scratch_url)  # demo rows in place, so downgrades move real data
    assert _tables(scratch_url) == MODEL_TABLES | {"alembic_version"}
    assert _revision(scratch_url) == REVISIONS[-1]
    assert _triggers_and_functions(scratch_url)  # the support_requests guard

    for expected in reversed(REVISIONS[:-1]):
        migrations.downgrade(scratch_url, "-1")
        assert _revision(scratch_url) == expected
    migrations.downgrade(scratch_url, "base")

    assert _revision(scratch_url) is None
    assert _tables(scratch_url) == {"alembic_version"}
    assert _triggers_and_functions(scratch_url) == set()

    migrations.upgrade(scratch_url)
    assert _revision(scratch_url) == REVISIONS[-1]
    assert _tables(scratch_url) == MODEL_TABLES | {"alembic_version"}
    assert _schema_diff(scratch_url) == []


def test_models_match_the_migrated_schema(scratch_url: str) -> None:
    migrations.upgrade(scratch_url)
    # No filter needed: with type and server-default comparison on, the models and the
    # migrated schema agree exactly on both backends.
    assert _schema_diff(scratch_url) == []

    declared = {
        table.name: {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        for table in SQLModel.metadata.tables.values()
    }
    assert sum(len(names) for names in declared.values()) >= 10
    assert _check_constraints(scratch_url) == declared


def test_the_comparison_does_see_a_schema_behind_the_models(scratch_url: str) -> None:
    # Proves the check above can fail: before the handoff revision, its columns are missing.
    migrations.upgrade(scratch_url, REVISIONS[REVISIONS.index("0003_external_handoff") - 1])
    missing = {
        diff[3].name
        for diff in _schema_diff(scratch_url)
        if isinstance(diff, tuple) and diff[0] == "add_column"
    }
    assert "external_handoff_mode" in missing


# --- SQLite connection settings --------------------------------------------------------


@pytest.fixture
def sqlite_engine_on_file(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    migrations.upgrade(url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_engine_on_file: Engine) -> None:
    with sqlite_engine_on_file.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        busy_timeout_ms = conn.execute(text("PRAGMA busy_timeout")).scalar()
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert busy_timeout_ms == DatabaseTimeouts().lock_seconds * 1000 >= 1000


def test_a_second_writer_waits_for_the_first_instead_of_failing(
    sqlite_engine_on_file: Engine,
) -> None:
    holder = sqlite_engine_on_file.raw_connection()
    try:
        cursor = holder.cursor()
        cursor.execute("BEGIN IMMEDIATE")  # take the write lock and keep it for a moment
        cursor.execute(
            "INSERT INTO workspaces (name, created_at) VALUES ('first', '2026-01-01 00:00:00')"
        )
        release = threading.Timer(0.5, holder.commit)
        release.start()
        started = time.monotonic()
        with Session(sqlite_engine_on_file) as session:
            # A reader is not blocked by the open write transaction (WAL).
            assert session.exec(select(func.count()).select_from(Workspace)).one() == 0
            session.add(Workspace(name="second"))
            session.commit()
        waited = time.monotonic() - started
        release.join()
    finally:
        holder.close()

    assert waited >= 0.3
    with Session(sqlite_engine_on_file) as session:
        assert sorted(session.exec(select(Workspace.name)).all()) == ["first", "second"]
