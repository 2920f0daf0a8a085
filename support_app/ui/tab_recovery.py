"""A tab whose backend worker died keeps its state when it reconnects elsewhere.

Reflex 0.10 (``reflex.utils.token_manager.RedisTokenManager``) records in Redis which
worker holds each tab's socket, and treats a tab token that is already recorded as
a *duplicated* browser tab: it gives the connecting tab a new token, i.e. a fresh,
empty state. A worker killed by SIGKILL never removes its records, so every tab it
held came back from the reconnect as a new tab: the open dialog closed, the typed
text and a submit in flight were gone, for the record's lifetime (an hour).

So each worker's socket identity (``instance_id``) names its process
(``process_identity``), and a record whose process is gone is removed before the
tab is linked: the tab keeps its token and its state. A record of a live worker,
or of another host's worker (which this host cannot check), is left to Reflex's own
duplicate-tab rule.
"""

from __future__ import annotations

import logging
import pickle

from reflex.utils.token_manager import LocalTokenManager, RedisTokenManager

from support_app.process_identity import process_gone, this_process

logger = logging.getLogger(__name__)


def _socket_owner(instance_id: str) -> str:
    """The process part of an ``instance_id`` made by ``install`` (``host:pid:start``)."""
    return instance_id.rsplit(":", 1)[0]


async def _forget_dead_owner(manager: RedisTokenManager, token: str) -> None:
    key = manager._get_redis_key(token)
    raw = await manager.redis.get(key)
    if raw is None:
        return
    try:
        record = pickle.loads(raw)
    except Exception:  # not ours to judge: Reflex's own rule applies
        return
    owner = _socket_owner(getattr(record, "instance_id", ""))
    # Only if nobody re-linked it meanwhile (a compare-and-delete would need a
    # script; a lost race only means Reflex's own duplicate rule applies).
    if process_gone(owner) is True and await manager.redis.get(key) == raw:
        await manager.redis.delete(key)
        manager.token_to_socket.pop(token, None)
        logger.info("tab reconnected after its worker died; its state is kept")


def install() -> None:
    """Patch Reflex's token manager (once per process)."""
    if getattr(RedisTokenManager.link_token_to_sid, "_recovers_tabs", False):
        return
    reset_instance_id = LocalTokenManager._reset_instance_id
    link_token_to_sid = RedisTokenManager.link_token_to_sid

    def named_instance_id(self: LocalTokenManager) -> None:
        reset_instance_id(self)
        self.instance_id = f"{this_process()}:{self.instance_id}"

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
