"""A tab whose backend worker died keeps its state when it reconnects elsewhere.

Reflex 0.10 (``reflex.utils.token_manager.RedisTokenManager``) records in Redis which
worker holds each tab's socket, and treats a tab token that is already recorded as
a *duplicated* browser tab: it gives the connecting tab a new token, i.e. a fresh,
empty state. A worker killed by SIGKILL never removes its records, so every tab it
held came back from the reconnect as a new tab: the open dialog closed, the typed
text and a submit in flight were gone, for the record's lifetime (an hour).

So each worker's socket identity (``instance_id``) names its process
(``process_identity``), and a record whose process is gone (``worker_lease.
owner_gone``: /proc on this host, the worker's lease across hosts) is removed before
the tab is linked: the tab keeps its token and its state. A record of a live worker
on this host is left to Reflex's own duplicate-tab rule, and so is one nobody can
judge (the lease store away).

A record of a live worker on *another* host may be a lost host's: its tab
reconnects within a second, while the lease runs a few seconds more. So the link
waits, re-reading the record and the lease, until the record is gone (a draining
instance removes its own) or the owner is (the lease ran out), for at most
``FOREIGN_OWNER_WAIT_S``; only then does Reflex's rule apply. The price: a browser
tab duplicated while its original is connected to another instance waits that long
before it gets its own, fresh state.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import pickle
import time

from reflex.utils.token_manager import LocalTokenManager, RedisTokenManager

from support_app.process_identity import process_gone, this_process
from support_app.worker_lease import LEASE_SECONDS, owner_gone

logger = logging.getLogger(__name__)


def _socket_owner(instance_id: str) -> str:
    """The process part of an ``instance_id`` made by ``install`` (``host:pid:start``)."""
    return instance_id.rsplit(":", 1)[0]


# A lease outlives its worker by at most LEASE_SECONDS; a little more for the reads.
FOREIGN_OWNER_WAIT_S = LEASE_SECONDS + 1.5
_RECHECK_S = 0.25


async def _forget_dead_owner(manager: RedisTokenManager, token: str) -> None:
    key = manager._get_redis_key(token)
    deadline = time.monotonic() + FOREIGN_OWNER_WAIT_S
    while True:
        raw = await manager.redis.get(key)
        if raw is None:
            return
        try:
            record = pickle.loads(raw)
        except Exception:  # not ours to judge: Reflex's own rule applies
            return
        owner = _socket_owner(getattr(record, "instance_id", ""))
        gone = await asyncio.to_thread(owner_gone, owner)
        if gone is True:
            break
        if gone is None or process_gone(owner) is False or time.monotonic() >= deadline:
            return  # live here, or nobody can tell, or still live elsewhere: Reflex's rule
        await asyncio.sleep(_RECHECK_S)
    # Only if nobody re-linked it meanwhile (a compare-and-delete would need a
    # script; a lost race only means Reflex's own duplicate rule applies).
    if await manager.redis.get(key) == raw:
        await manager.redis.delete(key)
        manager.token_to_socket.pop(token, None)
        logger.info("tab reconnected after its worker stopped; its state is kept")


def install() -> None:
    """Patch Reflex's token manager (once per process)."""
    if getattr(RedisTokenManager.link_token_to_sid, "_recovers_tabs", False):
        return
    reset_instance_id = LocalTokenManager._reset_instance_id
    link_token_to_sid = RedisTokenManager.link_token_to_sid

    @functools.wraps(reset_instance_id)
    def named_instance_id(self: LocalTokenManager) -> None:
        reset_instance_id(self)
        self.instance_id = f"{this_process()}:{self.instance_id}"

    @functools.wraps(link_token_to_sid)
    async def recovering_link(self: RedisTokenManager, token: str, sid: str) -> str | None:
        known = self.token_to_socket.get(token)
        if known is None or known.sid != sid:
            try:
                await _forget_dead_owner(self, token)
            except Exception:  # Redis trouble: Reflex's own path reports it
                logger.debug("socket record of a reconnecting tab not checked", exc_info=True)
        return await link_token_to_sid(self, token, sid)

    recovering_link._recovers_tabs = True  # type: ignore[attr-defined]
    LocalTokenManager._reset_instance_id = named_instance_id  # type: ignore[method-assign]
    RedisTokenManager.link_token_to_sid = recovering_link  # type: ignore[method-assign]
