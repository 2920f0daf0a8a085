"""Shared fixtures: migrated, demo-seeded databases on SQLite and PostgreSQL.

Each test gets its own database copied from a per-session template (a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so tests can commit freely
and the immutability triggers never need to be bypassed for cleanup.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app import migrations
from support_app.db import create_db_engine
from support_app.models import User
from support_app.services.access import Actor
from support_app.services.demo_seed import seed_demo
from tests.running_app import CHROMIUM_ARGS

T = TypeVar("T")

PG_ADMIN_URL = os.environ.get(
    "SUPPORT_APP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def migrate_and_seed(url: str) -> None:
    migrations.upgrade(url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@contextmanager
def migrated_pg_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, migrated, demo-seeded PostgreSQL database on ``admin_url``'s server.

    Yields its URL; the database is dropped afterwards. Used by the feature tests'
    template, the scaled e2e lane and the scale benchmark.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        migrate_and_seed(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    with migrated_pg_database(PG_ADMIN_URL, "sa_tpl") as url:
        yield url.rsplit("/", 1)[1]


def _sqlite_engine(template: Path, tmp_path: Path) -> Engine:
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return create_db_engine(f"sqlite:///{path}")


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    engine = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Engine]:
    """A fresh demo database on each backend; the test runs once per backend."""
    if request.param == "sqlite":
        eng = _sqlite_engine(sqlite_template, tmp_path)
        yield eng
        eng.dispose()
        return
    with _pg_database(request.getfixturevalue("pg_template")) as eng:
        yield eng


@pytest.fixture
def pg_engine(pg_template: str) -> Iterator[Engine]:
    """A fresh demo database on PostgreSQL only (TRUNCATE, roles: what SQLite lacks)."""
    with _pg_database(pg_template) as eng:
        yield eng


@contextmanager
def _pg_database(template: str) -> Iterator[Engine]:
    name = f"sa_t_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    eng = create_db_engine(_pg_url(name))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


def actor_for(session: Session, email: str) -> Actor:
    """The demo user with ``email`` as a signed-in actor."""
    return Actor.of(session.exec(select(User).where(User.email == email)).one())


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a fresh event loop in a worker thread.

    Playwright's sync API keeps an event loop running on the main thread for the
    whole session, so ``asyncio.run`` there would fail whenever the e2e lane ran
    first; a worker thread makes the test lanes independent of their order.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for every browser lane of the run: Playwright's sync API allows
    one running instance per thread, so two lanes' own would collide."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
