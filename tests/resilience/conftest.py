"""Resilience lane: the real app (backend only, scaled out) on dependencies of its own.

The drills stop, freeze (SIGSTOP) and restart PostgreSQL and Redis, and kill
backend workers, so they never touch the machine's shared services: the lane
starts a private PostgreSQL cluster (``initdb`` into a temporary folder, run as the
``postgres`` user on a free port) and a private ``redis-server`` on a free port,
and stops both at the end. The app is the production backend with
``RESILIENCE_WORKERS`` Granian workers sharing state in that Redis; the cluster
drills run two instances behind HAProxy on the same services (``cluster``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import migrate_and_seed
from tests.resilience.cluster import Cluster, running_cluster
from tests.resilience.operator_screen import OperatorApp
from tests.resilience.processes import children_of, supervisor_running, workers_of
from tests.running_app import (
    desk_environment,
    free_port,
    running_app,
    running_desk_emulator,
)

RESILIENCE_WORKERS = 2
PG_USER = "postgres"


def _pg_bin(name: str) -> str:
    """A PostgreSQL server binary: from ``pg_config --bindir``, else Debian's layout."""
    if shutil.which("pg_config"):
        bindir = subprocess.run(
            ["pg_config", "--bindir"], check=True, capture_output=True, text=True
        ).stdout.strip()
        if (Path(bindir) / name).exists():
            return str(Path(bindir) / name)
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"no PostgreSQL {name}: install the PostgreSQL server package"
    return str(found[-1])


def _as_postgres(*command: str) -> list[str]:
    """PostgreSQL refuses to run as root; run its tools as the ``postgres`` user."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", PG_USER, "--", *command]


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of the lane's own: stop, start, freeze and thaw it."""

    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.directory} -c fsync=off"
        )
        subprocess.run(
            _as_postgres(
                _pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.directory / "postgres.log"),
                "-o",
                options,
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
            check=True,
            capture_output=True,
        )

    def _processes(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        return [postmaster, *children_of(postmaster)]

    def freeze(self) -> None:
        """SIGSTOP the postmaster and every backend: connections open, nothing answers."""
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._processes():
            os.kill(pid, signal.SIGCONT)


@dataclass
class PrivateRedis:
    """A redis-server of the lane's own: stop, start, freeze and thaw it."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    directory = Path(tempfile.mkdtemp(prefix="sa-resilience-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, PG_USER, PG_USER)
    cluster = PrivatePostgres(directory, free_port())
    subprocess.run(
        _as_postgres(
            _pg_bin("initdb"), "-D", str(cluster.data), "-U", PG_USER, "-A", "trust", "--no-sync"
        ),
        check=True,
        capture_output=True,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(OSError, ValueError):
            cluster.thaw()
        subprocess.run(
            _as_postgres(_pg_bin("pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(free_port(), tmp_path_factory.mktemp("redis"))
    redis.start()
    try:
        yield redis
    finally:
        redis.thaw()
        redis.stop()


@dataclass
class ScaledApp:
    url: str
    supervisor_pid: int
    log: Path

    def workers(self) -> list[int]:
        return workers_of(self.supervisor_pid)


def _seeded_database(postgres: PrivatePostgres, name: str) -> str:
    """A new database ``name`` on the lane's cluster, migrated and demo-seeded; its URL."""
    subprocess.run(
        _as_postgres(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), name),
        check=True,
        capture_output=True,
    )
    database = postgres.url(name)
    migrate_and_seed(database)
    return database


@pytest.fixture(scope="session")
def scaled_app(
    tmp_path_factory: pytest.TempPathFactory,
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
) -> Iterator[ScaledApp]:
    database = _seeded_database(private_postgres, "support_app")
    workdir = tmp_path_factory.mktemp("resilience-app")
    environment = {
        "REFLEX_REDIS_URL": private_redis.url,
        "GRANIAN_WORKERS": str(RESILIENCE_WORKERS),
    }
    with running_app(workdir, database, env=environment, backend_only=True) as url:
        supervisor = supervisor_running(
            f"reflex run --env prod --backend-only --backend-port {url.rsplit(':', 1)[1]}"
        )
        app = ScaledApp(url, supervisor, workdir / "reflex.log")
        _wait_until(lambda: len(app.workers()) == RESILIENCE_WORKERS, 60, "workers up")
        yield app


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def get_readyz(app: ScaledApp) -> tuple[int, dict, float]:
    """``/readyz``'s status, body and how long it took to answer."""
    started = time.monotonic()
    response = httpx.get(app.url + "/readyz", timeout=10, trust_env=False)
    return response.status_code, response.json(), time.monotonic() - started


@pytest.fixture(scope="session")
def operator_app(
    tmp_path_factory: pytest.TempPathFactory,
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
) -> Iterator[OperatorApp]:
    """The full production build (frontend too) on the lane's services, with the desk
    emulator: one build for every operator drill."""
    database = _seeded_database(private_postgres, "operator")
    workdir = tmp_path_factory.mktemp("operator-app")
    with running_desk_emulator(workdir) as desk:
        environment = {
            **desk_environment(desk),
            "REFLEX_REDIS_URL": private_redis.url,
            "GRANIAN_WORKERS": str(RESILIENCE_WORKERS),
        }
        with running_app(workdir, database, env=environment, web_dir=workdir / "web") as url:
            yield OperatorApp(url, desk, database, workdir / "reflex.log")


@pytest.fixture
def page(browser: Browser, operator_app: OperatorApp) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=operator_app.url
    )
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
) -> Iterator[Cluster]:
    """Two instances on hostnames of their own behind HAProxy, with the desk emulator:
    one production build (made once, its socket URL the proxy's) for both."""
    database = _seeded_database(private_postgres, "cluster")
    redis_url = private_redis.url.rsplit("/", 1)[0] + "/1"  # apart from the scaled app's
    workdir = tmp_path_factory.mktemp("cluster")
    with running_cluster(workdir, database, redis_url, free_port()) as cluster:
        yield cluster
