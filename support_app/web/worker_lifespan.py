"""What each backend worker runs beside serving: its lease, and its drain on SIGTERM.

A Reflex lifespan task, so it runs in every Granian worker (not in the supervisor):
the worker holds its lease (``worker_lease``) from start to stop, so other instances
can tell it lives, and takes over SIGTERM to drain before it stops
(``reflex_patches.graceful_shutdown``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from support_app.process_identity import this_process
from support_app.reflex_patches.graceful_shutdown import take_over_sigterm
from support_app.worker_lease import hold_lease


@contextlib.asynccontextmanager
async def worker_lifespan(app: Any) -> AsyncIterator[None]:
    lease = asyncio.create_task(hold_lease(this_process()), name="worker lease")
    take_over_sigterm(app)
    try:
        yield
    finally:
        lease.cancel()
        await asyncio.gather(lease, return_exceptions=True)
