"""A backend worker that dies is replaced; the others keep serving meanwhile.

Reflex 0.10 serves the backend with Granian's ``Server`` (``reflex run --env prod``
builds it in ``reflex.utils.exec.run_granian_backend_prod``) and passes no
respawn option, and Granian's own default is to stop every worker and exit when
one dies ("Unexpected exit from worker-1"): one killed worker took the whole app
down. Granian can instead respawn a failed worker (``respawn_failed_workers``);
its ``GRANIAN_RESPAWN_FAILED_WORKERS`` variable is read only by Granian's own
command line, which Reflex does not use. So ``rxconfig.py`` (imported by the
``reflex run`` process, which is Granian's supervisor, before the server is built)
calls ``enable_worker_respawn``, which makes that option default to on.

Settings, with Granian's own names: ``GRANIAN_RESPAWN_FAILED_WORKERS`` (default
``true``; ``false`` restores Granian's exit) and ``GRANIAN_RESPAWN_INTERVAL``
(seconds between a replacement starting and the old worker being stopped on
reloads; default 3.5). Granian still exits on a crash loop (the same worker dying
again within 5.5 s of its respawn): then the process manager (systemd, the
container runtime) must restart the app, and a load balancer probing ``/readyz``
sends users to the other instances meanwhile.
"""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}


def respawn_enabled() -> bool:
    return os.environ.get("GRANIAN_RESPAWN_FAILED_WORKERS", "true").strip().lower() in _TRUE


def enable_worker_respawn() -> None:
    """Make Granian's ``Server`` respawn failed workers unless told otherwise."""
    import granian.server

    server = granian.server.Server
    if getattr(server, "respawns_failed_workers_by_default", False):
        return  # rxconfig is imported more than once per process

    class RespawningServer(server):  # type: ignore[misc, valid-type]
        respawns_failed_workers_by_default = True

        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("respawn_failed_workers", respawn_enabled())
            interval = os.environ.get("GRANIAN_RESPAWN_INTERVAL", "").strip()
            if interval:
                kwargs.setdefault("respawn_interval", float(interval))
            super().__init__(*args, **kwargs)

    RespawningServer.__name__ = RespawningServer.__qualname__ = server.__name__
    granian.server.Server = RespawningServer
