"""Granian's server, as Reflex builds it, respawns a worker that died (unless told not to)."""

from __future__ import annotations

import granian.server
import pytest

from support_app.reflex_patches.worker_respawn import enable_worker_respawn


@pytest.mark.parametrize(("setting", "respawns"), [(None, True), ("false", False), ("1", True)])
def test_a_server_built_without_the_option_respawns_failed_workers(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, respawns: bool
) -> None:
    if setting is None:
        monkeypatch.delenv("GRANIAN_RESPAWN_FAILED_WORKERS", raising=False)
    else:
        monkeypatch.setenv("GRANIAN_RESPAWN_FAILED_WORKERS", setting)
    enable_worker_respawn()
    enable_worker_respawn()  # idempotent: rxconfig may be imported twice

    # The same call Reflex 0.10 makes (no respawn argument).
    server = granian.server.Server(target="support_app.support_app:app", workers=2)

    assert server.respawn_failed_workers is respawns
    assert type(server).__mro__[1] is not type(server)  # one wrapper, not a stack of them
    assert not getattr(type(server).__mro__[1], "respawns_failed_workers_by_default", False)
