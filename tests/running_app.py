"""Starting the real app (and the desk emulator) as processes, for the lanes that
drive it from outside: ``tests/e2e`` (production build, in Chromium) and
``tests/security`` (backend only, through ``tests/event_client.py``).

Each app runs on a free port with its own database. A backend-only app keeps its
``.web/`` in a directory of its own, so it never meets the production build another
lane may be making in the repository at the same time.
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 900
BACKEND_START_TIMEOUT_S = 180
DESK_EMAIL = "agent@desk.example"
DESK_TOKEN = "e2e-desk-token"
DESK_CONTROL_TOKEN = secrets.token_urlsafe(16)  # for /__emulator/* (fault modes)
# Debian's Chromium, as Playwright launches it here (no sandbox as root, no network
# side traffic); never ``playwright install``.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, proc: subprocess.Popen) -> None:
    """Until ``url`` answers below 500 (``/readyz``: 200, every dependency reachable)."""
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


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def running_desk_emulator(log_dir: Path) -> Iterator[str]:
    """The support-desk emulator on a free port; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "SUPPORT_DESK_EMAIL": DESK_EMAIL,
        "SUPPORT_DESK_API_TOKEN": DESK_TOKEN,
        "SUPPORT_DESK_EMULATOR_CONTROL_TOKEN": DESK_CONTROL_TOKEN,
    }
    with open(log_dir / "desk.log", "wb") as log:
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
            wait_for(url + "/agent/tickets/0", 30, proc)
            yield url
        finally:
            stop(proc)


def desk_environment(desk_url: str) -> dict[str, str]:
    """The app's settings for the emulator started by ``running_desk_emulator``."""
    return {
        "SUPPORT_DESK_URL": desk_url,
        "SUPPORT_DESK_EMAIL": DESK_EMAIL,
        "SUPPORT_DESK_API_TOKEN": DESK_TOKEN,
    }


def app_environment(db_url: str, port: int, overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment the app runs with: no desk and in-process state unless the
    overrides say otherwise (nothing leaks in from the developer's shell)."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SUPPORT_DESK_") and k != "REFLEX_REDIS_URL"
        },
        "REFLEX_DB_URL": db_url,
        "SUPPORT_APP_PORT": str(port),
        "PATH": f"{REPO / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
    }
    env.update(overrides)
    return env


@contextmanager
def running_app(
    workdir: Path,
    db_url: str,
    *,
    env: Mapping[str, str] | None = None,
    backend_only: bool = False,
    web_dir: Path | None = None,
    keep_log: Path | None = None,
) -> Iterator[str]:
    """``reflex run --env prod`` on a free port; yields the app's base URL.

    The full app (``backend_only=False``) is the production build on one port, in
    the repository's ``.web`` unless ``web_dir`` gives it one of its own (a build bakes
    its port in), seeded from the repository's so bun need not reinstall. A
    backend-only app serves the event socket and the HTTP routes, starts in seconds,
    builds nothing, and always keeps its ``.web`` under ``workdir``. ``keep_log``:
    where to copy the server log when the app stops.
    """
    port = free_port()
    environment = app_environment(db_url, port, env or {})
    reflex = str(Path(sys.executable).parent / "reflex")
    if backend_only:
        web_dir = web_dir or workdir / "web"
        command = [reflex, "run", "--env", "prod", "--backend-only", "--backend-port", str(port)]
        command += ["--backend-host", "127.0.0.1"]
        timeout = BACKEND_START_TIMEOUT_S
    else:
        command = [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
        timeout = BUILD_TIMEOUT_S
        if web_dir is not None and (REPO / ".web").is_dir():
            shutil.copytree(REPO / ".web", web_dir, symlinks=True, dirs_exist_ok=True)
    if web_dir is not None:
        environment["REFLEX_WEB_WORKDIR"] = str(web_dir)
        environment["REFLEX_STATES_WORKDIR"] = str(workdir / "states")
    log_path = workdir / "reflex.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://localhost:{port}"
        try:
            wait_for(url + "/readyz", timeout, proc)
            if not backend_only:
                wait_for(url + "/login", 60, proc)
            yield url
        except Exception:
            sys.stderr.write(log_path.read_text(errors="replace")[-5000:])
            raise
        finally:
            stop(proc)
            if keep_log is not None:
                keep_log.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(log_path, keep_log)
