"""Sign-outs the database could not record yet, ended server-side once it can.

Signing out fails closed: the route always expires the cookie. When the database
is unreachable the session row cannot be deleted at that moment, so its token
hash waits here and a background task of this worker retries with back-off (1 s,
doubling, at most 10 s) until the database takes it; the session then ends with
its audit row, as an ordinary sign-out would.

The queue is in-process by design: it needs nothing that may be down too (not the
database, not Redis), and it holds only SHA-256 hashes. What it cannot survive is
this worker dying before the database is back; that session then ends at its idle
timeout (``SUPPORT_APP_SESSION_IDLE_SECONDS``) at the latest, since the browser no
longer has the cookie.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor

logger = logging.getLogger(__name__)

FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 10.0
# A bound on memory if the database stays away for long; beyond it the oldest
# entries are dropped (they still end at their idle timeout).
MAX_PENDING = 10_000

# token hash -> everywhere (end every session of that user)
EndSession = Callable[[str, bool], None]


class PendingSignOuts:
    def __init__(
        self,
        end_session: EndSession,
        executor: Executor,
        *,
        first_retry_s: float = FIRST_RETRY_S,
        longest_retry_s: float = LONGEST_RETRY_S,
    ) -> None:
        self._end_session = end_session
        self._executor = executor
        self._first_retry_s = first_retry_s
        self._longest_retry_s = longest_retry_s
        self._pending: dict[str, bool] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, token_hash: str, *, everywhere: bool) -> None:
        """Remember a sign-out to record; starts the retry task (call on the event loop)."""
        self._pending[token_hash] = self._pending.get(token_hash, False) or everywhere
        while len(self._pending) > MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._retry_until_recorded())

    async def _retry_until_recorded(self) -> None:
        delay = self._first_retry_s
        loop = asyncio.get_running_loop()
        while self._pending:
            await asyncio.sleep(delay)
            for token_hash, everywhere in list(self._pending.items()):
                try:
                    await loop.run_in_executor(
                        self._executor, self._end_session, token_hash, everywhere
                    )
                except Exception as error:
                    logger.error(
                        "sign-out still not recorded (%d waiting), retrying in %.0f s: %s",
                        len(self._pending),
                        min(delay * 2, self._longest_retry_s),
                        type(error).__name__,
                    )
                    delay = min(delay * 2, self._longest_retry_s)
                    break
                self._pending.pop(token_hash, None)
            else:
                delay = self._first_retry_s
        logger.info("pending sign-outs recorded")
