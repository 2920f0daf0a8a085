"""The app's processes, read from /proc: Granian's supervisor and its workers."""

from __future__ import annotations

import subprocess
from pathlib import Path


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def supervisor_running(command_part: str) -> int:
    """The ``reflex run`` process whose command line holds ``command_part``: Granian's
    supervisor, parent of the workers."""
    output = subprocess.run(
        ["pgrep", "-f", "--", command_part], capture_output=True, text=True
    ).stdout.split()
    candidates = {int(pid) for pid in output}
    supervisors = [pid for pid in candidates if _parent(pid) not in candidates]
    assert len(supervisors) == 1, output
    return supervisors[0]


def workers_of(supervisor: int) -> list[int]:
    """Granian's workers: forked children with the supervisor's command line."""
    command = _cmdline(supervisor)
    return [pid for pid in children_of(supervisor) if _cmdline(pid) == command]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
