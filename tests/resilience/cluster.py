"""Two app instances on two hostnames behind HAProxy: the shape a team runs in production.

Each instance runs in a UTS namespace of its own (``unshare -u``: its own hostname,
so neither can look the other's workers up in /proc and only leases tell), serves
the one production build (``python -m support_app serve-built``; the build's socket
URL is the proxy's) with one Granian worker, and shares the lane's PostgreSQL and
Redis. HAProxy checks each instance's ``/readyz`` every 500 ms and sends users only
to ready ones; a browser stays with the instance it was sent to (a cookie naming
it: the app needs no such stickiness, but a drill can then put a tab on the
instance it is about to stop) until that instance is not ready. ``make run-cluster``
starts the same shape by hand.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from reflex.utils.token_manager import RedisTokenManager

from tests.running_app import (
    REPO,
    app_environment,
    desk_environment,
    free_port,
    running_app,
    running_desk_emulator,
    wait_for,
)

HAPROXY_CONFIG = """\
global
    maxconn 512
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    # A request refused by an instance that is going away is tried on another.
    option redispatch 1
    retries 3
    retry-on conn-failure empty-response 503

frontend app
    bind 127.0.0.1:{proxy_port}
    default_backend instances

backend instances
    balance roundrobin
    # A browser stays on one instance while it is ready (and moves when it is not).
    cookie {cookie} insert indirect nocache
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 1 rise 2
{servers}
"""
# The proxy's cookie naming the instance a browser is on (the instance's name).
INSTANCE_COOKIE = "support_app_instance"


@dataclass
class Instance:
    """One app instance (Granian supervisor and worker) on a hostname of its own."""

    name: str
    port: int
    environment: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    starts: int = 0
    _exit: threading.Event = field(default_factory=threading.Event)
    _exited_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = (
            f"hostname {self.name} && exec {sys.executable} -m support_app serve-built"
            f" --host 127.0.0.1 --port {self.port}"
        )
        self.starts += 1
        with open(self.log, "ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                ["unshare", "-u", "bash", "-c", command],
                cwd=REPO,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None and self.process.poll() is None, self.tail()
            try:
                if httpx.get(self.url + "/readyz", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{self.name} not ready\n{self.tail()}"
            time.sleep(0.2)

    def terminate(self) -> float:
        """SIGTERM (a rolling deploy), without waiting; when it was sent (monotonic).
        The moment the instance exits is noted meanwhile (``exited``)."""
        assert self.process is not None
        process, self._exit = self.process, threading.Event()
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()

        def note_exit() -> None:
            process.wait()
            self._exited_at = time.monotonic()
            self._exit.set()

        threading.Thread(target=note_exit, daemon=True).start()
        return sent

    def exited(self, since: float) -> float:
        """Seconds from ``since`` (the SIGTERM) until the instance exited."""
        assert self._exit.wait(timeout=30), f"{self.name} still runs\n{self.tail()}"
        return self._exited_at - since

    def kill(self) -> None:
        """The host is lost: every process of the instance dies at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@dataclass
class Cluster:
    url: str  # the proxy's: where the browsers go
    desk: str
    database: str
    redis: str
    instances: list[Instance]
    proxy_log: Path
    proxy: subprocess.Popen | None = None

    def start_proxy(self, config_path: Path) -> None:
        with open(self.proxy_log, "ab") as log:
            self.proxy = subprocess.Popen(
                ["haproxy", "-db", "-f", str(config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def proxy_marked(self, instance: Instance, state: str) -> int:
        """How often the proxy has logged ``instance`` as ``state`` ("UP", "DOWN")."""
        return self.proxy_log.read_text(errors="replace").count(
            f"instances/{instance.name} is {state}"
        )

    def wait_proxy_marked(
        self, instance: Instance, state: str, seen_before: int, timeout: float = 15
    ) -> float:
        """Until the proxy logs ``instance`` as ``state`` once more; how long that took."""
        started = time.monotonic()
        while self.proxy_marked(instance, state) <= seen_before:
            assert time.monotonic() - started < timeout, f"{instance.name} never {state}"
            time.sleep(0.1)
        return time.monotonic() - started

    def socket_instance(self, token: str) -> str | None:
        """The name of the instance holding the event socket of the tab whose Reflex
        token is ``token`` (Reflex's socket record in Redis names its worker, and the
        worker's identity its host: ``reflex_patches.tab_recovery``); None if none."""
        from redis import Redis

        with Redis.from_url(self.redis) as redis:
            raw = redis.get(f"{RedisTokenManager._token_socket_record_prefix}{token}")
        return None if raw is None else pickle.loads(raw).instance_id.split(":", 1)[0]

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()
        if self.proxy is not None:
            self.proxy.terminate()
            self.proxy.wait(timeout=10)


def instance_environment(
    database: str, redis_url: str, public_url: str, web_dir: Path, workdir: Path, extra: dict
) -> dict[str, str]:
    environment = app_environment(database, 0, extra)
    environment.pop("SUPPORT_APP_PORT")
    environment.update(
        {
            "REFLEX_REDIS_URL": redis_url,
            "SUPPORT_APP_PUBLIC_URL": public_url,
            "GRANIAN_WORKERS": "1",
            "REFLEX_WEB_WORKDIR": str(web_dir),
            "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        }
    )
    return environment


def haproxy_config(proxy_port: int, instances: list[Instance]) -> str:
    servers = "\n".join(
        f"    server {instance.name} 127.0.0.1:{instance.port} check cookie {instance.name}"
        for instance in instances
    )
    return HAPROXY_CONFIG.format(proxy_port=proxy_port, servers=servers, cookie=INSTANCE_COOKIE)


@contextmanager
def running_cluster(
    workdir: Path, database: str, redis_url: str, proxy_port: int
) -> Iterator[Cluster]:
    """The desk emulator, one production build, instances host-a and host-b on it and
    HAProxy in front on ``proxy_port``, all on ``database`` and ``redis_url``; stopped
    at the end. The build is made by one short ``reflex run`` (its socket URL the
    proxy's) and stays in ``workdir/web`` for both instances."""
    public_url = f"http://localhost:{proxy_port}"
    web_dir = workdir / "web"
    with running_desk_emulator(workdir) as desk:
        shared = {**desk_environment(desk), "SUPPORT_APP_PUBLIC_URL": public_url}
        (workdir / "build").mkdir(exist_ok=True)
        build_run = {
            **shared,
            "REFLEX_REDIS_URL": redis_url,
            "GRANIAN_WORKERS": "1",
            "SUPPORT_APP_DRAIN_DELAY_SECONDS": "0",
        }
        with running_app(workdir / "build", database, env=build_run, web_dir=web_dir):
            pass
        instances = [
            Instance(
                name,
                port,
                instance_environment(database, redis_url, public_url, web_dir, workdir, shared),
                workdir / f"{name}.log",
            )
            for name, port in (("host-a", free_port()), ("host-b", free_port()))
        ]
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(proxy_port, instances))
        cluster = Cluster(public_url, desk, database, redis_url, instances, workdir / "haproxy.log")
        try:
            for instance in instances:
                instance.start()
            for instance in instances:
                instance.wait_ready()
            cluster.start_proxy(config)
            wait_for(public_url + "/readyz", 30, cluster.proxy)
            yield cluster
        finally:
            cluster.stop()


def main() -> None:
    """``make run-cluster``: the lane's shape by hand, on the given database and Redis,
    until Ctrl-C. It builds the frontend first (a minute or more)."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m tests.resilience.cluster")
    parser.add_argument("--port", type=int, default=3000, help="the proxy's port")
    parser.add_argument("--db", required=True)
    parser.add_argument("--redis", required=True)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="support-app-cluster-"))
    with running_cluster(workdir, args.db, args.redis, args.port) as cluster:
        instances = cluster.instances
        print(f"Open {cluster.url}  (instances {', '.join(i.url for i in instances)};")
        print(f"  logs in {workdir}; try: kill -TERM <pid> of one instance: ", end="")
        print(", ".join(f"{i.name}={i.process.pid}" for i in instances if i.process), ")")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
