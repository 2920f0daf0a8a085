"""End-to-end lane: the real app (production build, one port) in real Chromium.

Once per test session: a fresh temporary SQLite database (migrated and seeded with
the demo data), the local support-desk emulator on a free port, and
``reflex run --env prod --single-port`` on another free port. Tests that need the
other configuration (no desk, another product name) use a second instance with its
own ``.web``, built only when such a test runs. Each test gets a new browser
context; any console error or page error fails the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session

from support_app.db import create_db_engine
from support_app.services.demo_seed import DEMO_PASSWORD
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
BUILD_TIMEOUT_S = 900
OTHER_PRODUCT_NAME = "Acme Ops"


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
    env = {**os.environ, "SUPPORT_DESK_EMAIL": DESK_EMAIL, "SUPPORT_DESK_API_TOKEN": DESK_TOKEN}
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
def app_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'e2e.db'}"
    migrate_and_seed(db_url)
    return db_url


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
    its port in), seeded from the first instance's build so bun need not reinstall.
    """
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_DESK_")},
        "REFLEX_DB_URL": db_url,
        "SUPPORT_APP_PORT": str(port),
        "PATH": f"{REPO / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        **env_overrides,
    }
    if web_dir is not None:
        if (REPO / ".web").is_dir():
            shutil.copytree(REPO / ".web", web_dir, symlinks=True, dirs_exist_ok=True)
        env["REFLEX_WEB_WORKDIR"] = str(web_dir)
        env["REFLEX_STATES_WORKDIR"] = str(workdir / "states")
    # In-process state by default; SUPPORT_APP_E2E_REDIS_URL runs the same lane with
    # several workers sharing state in Redis (as in production).
    env.pop("REFLEX_REDIS_URL", None)
    if redis_url := os.environ.get("SUPPORT_APP_E2E_REDIS_URL"):
        env["REFLEX_REDIS_URL"] = redis_url
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
        cwd=REPO,
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
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS.parent / f"server-{workdir.name}.log")


@pytest.fixture(scope="session")
def app_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the main instance keeps its server log (``reflex.log``)."""
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="session")
def app_url(app_workdir: Path, app_db_url: str, desk_url: str) -> Iterator[str]:
    """The app as ``make run`` serves it: the desk emulator configured."""
    desk = {
        "SUPPORT_DESK_URL": desk_url,
        "SUPPORT_DESK_EMAIL": DESK_EMAIL,
        "SUPPORT_DESK_API_TOKEN": DESK_TOKEN,
    }
    yield from _run_app(app_workdir, app_db_url, desk)


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def checked_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a new browser context; any console or page error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    context.set_default_timeout(20_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
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
    response = httpx.post(f"{desk_url}/__emulator/fault", json={"mode": mode}, trust_env=False)
    response.raise_for_status()


def signed_in(page: Page, email: str) -> None:
    """Sign in with the demo password and wait until the workspace home has loaded."""
    sign_in(page, email)
    expect(page.get_by_test_id("tenant-card").first).to_be_visible()
