"""End-to-end lane: the real app (production build, one port) in real Chromium.

Once per test session: a fresh database (migrated and seeded with the demo data),
the local support-desk emulator on a free port, and
``reflex run --env prod --single-port`` on another free port. Tests that need the
other configuration (no desk, another product name) use a second instance with its
own ``.web``, built only when such a test runs. Each test gets a new browser
context; any console error or page error fails the test.

Two lanes, the same tests (``make test`` runs both):
- default: a temporary SQLite database, one backend worker, state in memory;
- scaled (``SUPPORT_APP_E2E_REDIS_URL`` set): a uniquely named PostgreSQL database on
  ``SUPPORT_APP_E2E_PG_URL`` (dropped afterwards), state in Redis and
  ``SUPPORT_APP_E2E_WORKERS`` (default 2) backend workers, built in its own directory
  (a production build bakes its port into ``.web/``). Only this lane runs the
  ``multi_worker`` tests, which read the event trace (``SUPPORT_APP_EVENT_TRACE``) to
  see which worker served which event.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from support_app.db import create_db_engine
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.support_desk.emulator import CONTROL_TOKEN_HEADER
from tests.conftest import migrate_and_seed, migrated_pg_database
from tests.running_app import (
    DESK_CONTROL_TOKEN,
    REPO,
    desk_environment,
    running_app,
    running_desk_emulator,
)

ARTIFACTS = REPO / "test-artifacts" / "screenshots"
# Reflex's disk state manager would write here; ours is pinned to memory (or Redis).
# An instance built in a directory of its own adds its own states directory.
STATES_DIRS: list[Path] = [REPO / ".states"]
OTHER_PRODUCT_NAME = "Acme Ops"
REDIS_URL = os.environ.get("SUPPORT_APP_E2E_REDIS_URL", "")
PG_ADMIN_URL = os.environ.get("SUPPORT_APP_E2E_PG_URL", "")
WORKERS = int(os.environ.get("SUPPORT_APP_E2E_WORKERS", "2"))
SCALED = bool(REDIS_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default lane has one worker: leave the multi-worker tests to the scaled lane."""
    if SCALED:
        return
    deselected = [item for item in items if item.get_closest_marker("multi_worker")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(scope="session")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_desk_emulator(tmp_path_factory.mktemp("desk")) as url:
        yield url


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_ADMIN_URL:
        db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'e2e.db'}"
        migrate_and_seed(db_url)
        yield db_url
        return
    with migrated_pg_database(PG_ADMIN_URL, "sa_e2e") as db_url:
        yield db_url


@pytest.fixture(scope="session")
def event_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file every backend worker appends ``{pid, token, event}`` lines to."""
    return tmp_path_factory.mktemp("trace") / "events.jsonl"


@pytest.fixture
def app_db_session(app_db_url: str) -> Iterator[Session]:
    """A session on the running app's database, to find ids and check what was stored."""
    engine = create_db_engine(app_db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _run_app(
    workdir: Path, db_url: str, env_overrides: dict[str, str], web_dir: Path | None = None
) -> Iterator[str]:
    """Build and serve the app (production, one port) until the generator is closed.

    ``web_dir`` gives a second instance its own ``.web`` (a production build bakes
    its port in); the scaled lane always builds in one of its own. The server log is
    kept in ``test-artifacts/``.
    """
    env = dict(env_overrides)
    if SCALED:  # several workers sharing state in Redis, as in production
        env |= {"REFLEX_REDIS_URL": REDIS_URL, "GRANIAN_WORKERS": str(WORKERS)}
        web_dir = web_dir or workdir / "web"
    states_dir = workdir / "states" if web_dir is not None else STATES_DIRS[0]
    STATES_DIRS.append(states_dir)
    with running_app(
        workdir,
        db_url,
        env=env,
        web_dir=web_dir,
        keep_log=ARTIFACTS.parent / f"server-{workdir.name}.log",
    ) as url:
        yield url
    assert states_on_disk(states_dir) == [], f"Reflex state was written to {states_dir}"
    if SCALED:
        assert raw_session_tokens_in_redis(REDIS_URL) == 0


def raw_session_tokens_in_redis(redis_url: str) -> int:
    """``sa_session`` values in the stored states that are not SHA-256 hashes.

    The socket guard hashes the cookie before Reflex copies the handshake headers
    into state, so a state persisted in Redis never holds a usable token.
    """
    client = redis.Redis.from_url(redis_url)
    raw = 0
    for key in client.scan_iter():
        kind = client.type(key)
        values = (
            [client.get(key)]
            if kind == b"string"
            else list(client.hgetall(key).values())
            if kind == b"hash"
            else []
        )
        for value in values:
            # Token characters only: in a pickled state the value is followed by
            # pickle opcodes, not by a cookie separator.
            for found in re.finditer(rb"sa_session=([A-Za-z0-9_-]*)", value or b""):
                raw += not re.fullmatch(rb"[0-9a-f]{64}", found.group(1))
    client.close()
    return raw


def states_on_disk(*states_dirs: Path) -> list[Path]:
    """Files in the given states directories (default: every instance's)."""
    return [
        p
        for states in states_dirs or STATES_DIRS
        if states.exists()
        for p in states.rglob("*")
        if p.is_file()
    ]


@pytest.fixture(scope="session")
def app_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main instance keeps its server log (``reflex.log``)."""
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="session")
def redis_state_store() -> None:
    """The scaled lane's Redis database starts empty: no states of an earlier run
    (its index is the lane's own, ``E2E_REDIS_URL``)."""
    if SCALED:
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture(scope="session")
def app_url(
    redis_state_store: None, app_workdir: Path, app_db_url: str, desk_url: str, event_trace: Path
) -> Iterator[str]:
    """The app as ``make run`` serves it: the desk emulator configured."""
    env = desk_environment(desk_url) | {"SUPPORT_APP_EVENT_TRACE": str(event_trace)}
    yield from _run_app(app_workdir, app_db_url, env)


@pytest.fixture(scope="session")
def app_url_without_desk(
    tmp_path_factory: pytest.TempPathFactory, app_db_url: str, app_url: str
) -> Iterator[str]:
    """A second instance on the same database: no support desk configured and the
    product renamed, so one extra build covers both configurations.

    Depends on ``app_url`` so the first build exists to seed this one's ``.web``.
    """
    workdir = tmp_path_factory.mktemp("app-without-desk")
    yield from _run_app(
        workdir,
        app_db_url,
        {"SUPPORT_APP_PRODUCT_NAME": OTHER_PRODUCT_NAME},
        web_dir=workdir / "web",
    )


@contextmanager
def checked_page(browser: Browser, base_url: str, expected: tuple[str, ...] = ()) -> Iterator[Page]:
    """A page in a new browser context; any console or page error fails the test,
    except the ``expected`` messages (a test that drops the socket on purpose)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and m.text not in expected else None,
    )
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    with checked_page(browser, app_url) as pg:
        yield pg


@pytest.fixture
def page_without_desk(browser: Browser, app_url_without_desk: str) -> Iterator[Page]:
    """A page on the instance with no desk configured and the product renamed."""
    with checked_page(browser, app_url_without_desk) as pg:
        yield pg


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact (test-artifacts/screenshots)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def set_desk_fault(desk_url: str, mode: str) -> None:
    """Switch the running desk emulator's fault mode (``none`` restores normal service)."""
    response = httpx.post(
        f"{desk_url}/__emulator/fault",
        json={"mode": mode},
        headers={CONTROL_TOKEN_HEADER: DESK_CONTROL_TOKEN},
        trust_env=False,
    )
    response.raise_for_status()


def signed_in(page: Page, email: str) -> None:
    """Sign in with the demo password and wait until the workspace home has loaded."""
    sign_in(page, email)
    expect(page.get_by_test_id("tenant-card").first).to_be_visible()
