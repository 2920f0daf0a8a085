"""A backend worker told to stop (SIGTERM: a rolling deploy) drains first.

Granian's worker stops its server on SIGTERM at once (``granian._signals.
set_loop_signals`` puts a handler on the worker's event loop), and Reflex's
lifespan then cancels every event still running (its event processor has no drain
time): a ticket create in flight lost the desk's answer, and its tab said
"Submitting…" until a sweep recorded "not recorded" more than a minute later.

So each worker's lifespan replaces that handler (``take_over_sigterm``) with a drain,
and calls Granian's own handler once the drain is done:

1. at once: ``/readyz`` answers 503 ("stopping") and new event-socket handshakes
   are refused (``lifecycle.draining``); everything else is served as before;
2. after ``SUPPORT_APP_DRAIN_DELAY_SECONDS`` (2 s; the proxy's readiness probe has
   taken the instance out by then), every socket is closed as a lost connection
   would be, so each tab reconnects through the proxy to another instance with its
   state (shared in Redis) and its open dialog;
3. the events in flight - a submit waiting for the desk (5 s deadline) included -
   are given up to ``SUPPORT_APP_DRAIN_SECONDS`` (10 s) to finish; their outcome is
   recorded and written to the tab's state, and Reflex forwards the answer to the
   instance the tab now talks to;
4. Granian's handler stops the worker; its lease ends (``worker_lease``).

With the defaults a worker is gone within about 12 s of the SIGTERM, inside
Kubernetes' default grace period (30 s) and Granian's own supervisor, which waits
for its workers. Without the handler to take over (another event loop), the worker
logs so and stops as Granian does.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any

from support_app import lifecycle
from support_app.settings import get_settings

logger = logging.getLogger(__name__)

_drains: set[asyncio.Task] = set()  # keeps the running drain referenced


def take_over_sigterm(app: Any) -> bool:
    """Drain ``app``'s worker on SIGTERM, then stop it as Granian would; whether the
    handler could be taken over. Call from inside the worker's running loop."""
    loop = asyncio.get_running_loop()
    granian_handler = getattr(loop, "_signal_handlers", {}).get(signal.SIGTERM)
    if granian_handler is None:
        logger.warning("SIGTERM handler not found: this worker stops without draining")
        return False

    def on_sigterm() -> None:
        if lifecycle.start_draining():
            drain = loop.create_task(_drain(app, granian_handler._run), name="drain")
            _drains.add(drain)
            drain.add_done_callback(_drains.discard)

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    return True


async def _drain(app: Any, stop: Any) -> None:
    settings = get_settings()
    started = time.monotonic()
    logger.warning(
        "SIGTERM: not ready any more; sockets close in %.1f s", settings.drain_delay_seconds
    )
    try:
        await asyncio.sleep(settings.drain_delay_seconds)
        closed = await close_sockets(app)
        in_flight = lifecycle.events_in_flight()
        finished = await lifecycle.events_finished(settings.drain_seconds)
        logger.warning(
            "drained in %.1f s: %d socket(s) closed, %d event(s) were in flight%s",
            time.monotonic() - started,
            closed,
            in_flight,
            "" if finished else f", {lifecycle.events_in_flight()} cut off",
        )
    finally:
        stop()


async def close_sockets(app: Any) -> int:
    """Close every Engine.IO connection of this worker as a lost connection (the
    browser reconnects), not as a Socket.IO "server disconnect" (it would not).

    Engine.IO's ``disconnect`` runs Socket.IO's disconnect (Reflex drops the tab's
    socket record, so its next instance links it at once) and sends a CLOSE packet,
    which a browser on a WebSocket ignores: the connection stayed open until the
    worker exited, after the events in flight. So each socket's writer is then
    ended as Engine.IO ends it when the reader goes (``None`` on its queue): it
    closes the WebSocket, and the browser reconnects through the proxy at once.
    All sockets at once: one slow close must not hold the others.
    """
    engine = getattr(getattr(app, "sio", None), "eio", None)
    if engine is None or not engine.sockets:
        return 0
    sockets = dict(engine.sockets)
    await asyncio.gather(*(_close(engine, sid, socket) for sid, socket in sockets.items()))
    return len(sockets)


async def _close(engine: Any, sid: str, socket: Any) -> None:
    try:
        await engine.disconnect(sid)
    except Exception:  # already gone
        logger.debug("socket already closed", exc_info=True)
    socket.queue.put_nowait(None)  # the writer closes the WebSocket
