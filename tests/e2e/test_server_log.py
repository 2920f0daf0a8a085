"""The server greets a newcomer without warnings that read like problems."""

from __future__ import annotations

from pathlib import Path

import httpx


def test_the_server_starts_quietly(app_url: str, app_workdir: Path) -> None:
    httpx.get(f"{app_url}/ping", trust_env=False).raise_for_status()  # the backend is up
    log = (app_workdir / "reflex.log").read_text(errors="replace")
    assert "App running at" in log
    assert "is being redefined" not in log
    assert "Node.js is out of date" not in log
    assert [line for line in log.splitlines() if line.startswith("Warning:")] == []
