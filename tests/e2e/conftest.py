"""End-to-end lane: the real app (production build, one port) in real Chromium.

Once per test session: a fresh database (migrated and seeded with the demo data),
the local support-desk emulator on a free port, and
``reflex run --env prod --single-port`` on another free port. Each test gets a new
browser context; any console error or page error fails the test.

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
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, text
from sqlmodel import Session

from support_app.db import create_db_engine
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.support_desk.emulator import CONTROL_TOKEN_HEADER
from tests.conftest import migrate_and_seed

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESK_EMAIL = "agent@desk.example"
DESK_TOKEN = "e2e-desk-token"
DESK_CONTROL_TOKEN = secrets.token_urlsafe(16)
BUILD_TIMEOUT_S = 900
REDIS_URL = os.environ.get("SUPPORT_APP_E2E_REDIS_URL", "")
PG_ADMIN_URL = os.environ.get("SUPPORT_APP_E2E_PG_URL", "")
WORKERS = int(os.environ.get("SUPPORT_APP_E2E_WORKERS", "2"))
SCALED = bool(REDIS_URL)
# .states of the scaled lane's own build directory (see states_on_disk).
SCALED_STATES_DIRS: list[Path] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default lane has one worker: leave the multi-worker tests to the scaled lane."""
    if SCALED:
        return
    deselected = [item for item in items if item.get_closest_marker("multi_worker")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "SUPPORT_DESK_EMAIL": DESK_EMAIL,
        "SUPPORT_DESK_API_TOKEN": DESK_TOKEN,
        "SUPPORT_DESK_EMULATOR_CONTROL_TOKEN": DESK_CONTROL_TOKEN,
    }
    log = open(tmp_path_factory.mktemp("desk") / "desk.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "support_app", "desk-emulator", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/agent/tickets/0", 30, proc)
        yield url
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_ADMIN_URL:
        db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'e2e.db'}"
        migrate_and_seed(db_url)
        yield db_url
        return
    name = f"sa_e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        migrate_and_seed(db_url)
        yield db_url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def event_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file every backend worker appends ``{pid, token, event}`` lines to."""
    return tmp_path_factory.mktemp("trace") / "events.jsonl"


def _build_dir(workdir: Path) -> Path:
    """A directory of its own for this lane's build, sharing the code by symlink.

    The repository's ``.web`` (if any) is copied so the JavaScript packages need
    not be installed again; its build output is not.
    """
    build = workdir / "build"
    build.mkdir()
    for name in ("support_app", "assets"):
        (build / name).symlink_to(REPO / name)
    shutil.copy(REPO / "rxconfig.py", build / "rxconfig.py")
    web = REPO / ".web"
    if (web / "node_modules").is_dir():
        # Only the top level's build output is left out (packages have build/ too).
        shutil.copytree(
            web,
            build / ".web",
            symlinks=True,
            ignore=lambda d, _: ("build", "public", "backend") if Path(d) == web else (),
        )
    return build


@pytest.fixture
def app_db_session(app_db_url: str) -> Iterator[Session]:
    """A session on the running app's database, to find ids and check what was stored."""
    engine = create_db_engine(app_db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session")
def app_url(
    tmp_path_factory: pytest.TempPathFactory, app_db_url: str, desk_url: str, event_trace: Path
) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("app")
    db_url = app_db_url
    port = _free_port()
    env = {
        **os.environ,
        "REFLEX_DB_URL": db_url,
        "SUPPORT_APP_PORT": str(port),
        "SUPPORT_DESK_URL": desk_url,
        "SUPPORT_DESK_EMAIL": DESK_EMAIL,
        "SUPPORT_DESK_API_TOKEN": DESK_TOKEN,
        "PATH": f"{REPO / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "SUPPORT_APP_EVENT_TRACE": str(event_trace),
    }
    # In-process state by default; the scaled lane runs several workers sharing
    # state in Redis (as in production), from its own build directory.
    env.pop("REFLEX_REDIS_URL", None)
    cwd = REPO
    if SCALED:
        env["REFLEX_REDIS_URL"] = REDIS_URL
        env["GRANIAN_WORKERS"] = str(WORKERS)
        cwd = _build_dir(workdir)
        SCALED_STATES_DIRS.append(cwd / ".states")
    log_path = workdir / "reflex.log"
    log = open(log_path, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "reflex"),
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(port),
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_for(url + "/ping", BUILD_TIMEOUT_S, proc)
        _wait_for(url + "/login", 60, proc)
        yield url
    except Exception:
        sys.stderr.write(log_path.read_text(errors="replace")[-5000:])
        raise
    finally:
        _stop(proc)
        log.close()
    assert states_on_disk() == [], "Reflex state was written to .states/"


def states_on_disk() -> list[Path]:
    """Files in ``.states`` (where Reflex's disk state manager would write) of either
    lane's app directory; ours is pinned to memory (or Redis)."""
    return [
        p
        for states in (REPO / ".states", *SCALED_STATES_DIRS)
        if states.exists()
        for p in states.rglob("*")
        if p.is_file()
    ]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app_url)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], f"browser console errors: {errors}"


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
