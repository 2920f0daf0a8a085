"""Two app instances on two hostnames behind HAProxy: the shape a team runs in production.

Each instance runs in a UTS namespace of its own (``unshare -u``: its own hostname,
so neither can look the other's workers up in /proc and only leases tell), serves
the one production build (``python -m support_app serve-built``; the build's socket
URL is the proxy's) with one Granian worker, and shares the lane's PostgreSQL and
Redis. HAProxy checks each instance's ``/readyz`` every 500 ms and sends users only
to ready ones. ``make run-cluster`` starts the same shape by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.running_app import REPO, app_environment, free_port

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
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 1 rise 2
{servers}
"""


@dataclass
class Instance:
    """One app instance (Granian supervisor and worker) on a hostname of its own."""

    name: str
    port: int
    environment: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    starts: int = 0

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
        """SIGTERM (a rolling deploy); seconds until the instance has exited."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return time.monotonic() - started

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
    instances: list[Instance]
    proxy_log: Path
    proxy: subprocess.Popen | None = None
    instances_by_name: dict[str, Instance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.instances_by_name = {instance.name: instance for instance in self.instances}

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
        f"    server {instance.name} 127.0.0.1:{instance.port} check" for instance in instances
    )
    return HAPROXY_CONFIG.format(proxy_port=proxy_port, servers=servers)


def new_ports(count: int) -> list[int]:
    return [free_port() for _ in range(count)]


def main() -> None:
    """``make run-cluster``: the lane's shape by hand, on the given database and Redis,
    until Ctrl-C. The first start builds the frontend once (minutes)."""
    import argparse
    import tempfile

    from tests.running_app import desk_environment, running_app, running_desk_emulator

    parser = argparse.ArgumentParser(prog="python -m tests.resilience.cluster")
    parser.add_argument("--port", type=int, default=3000, help="the proxy's port")
    parser.add_argument("--db", required=True)
    parser.add_argument("--redis", required=True)
    args = parser.parse_args()
    public_url = f"http://localhost:{args.port}"
    workdir = Path(tempfile.mkdtemp(prefix="support-app-cluster-"))
    with running_desk_emulator(workdir) as desk:
        shared = {**desk_environment(desk), "SUPPORT_APP_PUBLIC_URL": public_url}
        (workdir / "build").mkdir()
        with running_app(
            workdir / "build",
            args.db,
            env={**shared, "REFLEX_REDIS_URL": args.redis},
            web_dir=workdir / "web",
        ):
            pass
        instances = [
            Instance(
                name,
                port,
                instance_environment(
                    args.db, args.redis, public_url, workdir / "web", workdir, shared
                ),
                workdir / f"{name}.log",
            )
            for name, port in zip(("host-a", "host-b"), new_ports(2), strict=True)
        ]
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(args.port, instances))
        cluster = Cluster(public_url, desk, args.db, instances, workdir / "haproxy.log")
        try:
            for instance in instances:
                instance.start()
            for instance in instances:
                instance.wait_ready()
            cluster.start_proxy(config)
            print(f"Open {public_url}  (instances {', '.join(i.url for i in instances)};")
            print(f"  logs in {workdir}; try: kill -TERM <pid> of one instance: ", end="")
            print(", ".join(f"{i.name}={i.process.pid}" for i in instances if i.process), ")")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
