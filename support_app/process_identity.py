"""Which process this is, and whether another one still runs.

Why: a backend worker can die (SIGKILL, out of memory) holding things that name it:
a submit in flight (``services.support_requests.in_flight``), a tab's socket record
in Redis (``reflex_patches.tab_recovery``). Whoever comes next must tell a dead owner from a
live one. A pid alone can be reused, so an identity is ``host:pid:start``, the start
being the process's start time in clock ticks since boot (from /proc). This host's
processes are looked up in /proc here; another host's are asked through their lease
(``worker_lease.owner_gone``, which every caller uses).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _start_ticks(pid: int) -> str | None:
    """When ``pid`` started, or None if it is not running (a killed worker its
    supervisor has not reaped yet is a zombie, which runs nothing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if len(fields) < 20 or fields[0] in {"Z", "X"} else fields[19]


def this_process() -> str:
    """``host:pid:start`` of the running process."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or ''}"


def _parts(identity: str) -> tuple[str, str, str]:
    host, _, rest = identity.partition(":")
    pid, _, ticks = rest.partition(":")
    return host, pid, ticks


def is_identity(identity: str) -> bool:
    """Whether ``identity`` has the shape ``this_process`` gives."""
    host, pid, ticks = _parts(identity)
    return bool(host) and pid.isdigit() and ticks.isdigit()


def process_gone(identity: str) -> bool | None:
    """True if the process named by ``identity`` no longer runs, False if it does,
    None when this host cannot tell (another host's process, or not an identity)."""
    host, pid, ticks = _parts(identity)
    if host != socket.gethostname() or not is_identity(identity):
        return None
    return _start_ticks(int(pid)) != ticks
