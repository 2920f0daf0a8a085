"""Sign-in throttling per account and per client address, shared by every worker.

After ``free_failures`` failed attempts on a key (an account's e-mail as typed, or a
client address) the key is locked for ``backoff_seconds``, and each further failure
doubles the lock, up to ``MAX_LOCK``. While a key is locked no password is checked
at all, so guessing costs the attacker time and the server nothing. A successful
sign-in clears the account's count but not the address's (one valid account must
not reset a guesser's address). A key with no failure for ``FORGET_AFTER`` after
its lock ended starts from zero again; such rows are purged.

Counts live in ``sign_in_throttles`` and are incremented with one atomic upsert, so
concurrent attempts on several workers all count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from support_app.models import SignInThrottle
from support_app.models.clock import utcnow

MAX_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(minutes=15)
SUBJECT_MAX = 254


@dataclass(frozen=True)
class ThrottleKey:
    kind: str  # "account" | "address"
    subject: str


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    backoff_seconds: int

    def lock_for(self, failures: int) -> timedelta | None:
        """How long a key with ``failures`` consecutive failures stays locked."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 32)
        return min(timedelta(seconds=self.backoff_seconds * 2**doublings), MAX_LOCK)


def keys_for(email: str, client_address: str) -> list[ThrottleKey]:
    keys = [ThrottleKey("address", client_address[:SUBJECT_MAX] or "unknown")]
    if email:
        keys.append(ThrottleKey("account", email[:SUBJECT_MAX]))
    return keys


def minutes_to_wait(seconds: int) -> int:
    """What the sign-in page says: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))


class SignInThrottleService:
    def __init__(self, session: Session, policy: ThrottlePolicy) -> None:
        self._session = session
        self._policy = policy

    def seconds_locked(self, keys: list[ThrottleKey], now: datetime | None = None) -> int:
        """Seconds until every key is unlocked (0 when none is locked)."""
        now = now or utcnow()
        rows = self._session.exec(
            select(SignInThrottle.locked_until).where(
                or_(*(_matches(k) for k in keys)), SignInThrottle.locked_until > now
            )
        ).all()
        return max((math.ceil((until - now).total_seconds()) for until in rows), default=0)

    def record_failure(self, keys: list[ThrottleKey], now: datetime | None = None) -> None:
        """Count one failure on each key (atomically) and lock keys past the limit."""
        now = now or utcnow()
        forgotten = now - FORGET_AFTER
        table = SignInThrottle.__table__
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in keys:
            statement = insert(table).values(
                kind=key.kind, subject=key.subject, failures=1, last_failed_at=now
            )
            stale = and_(
                table.c.last_failed_at < forgotten,
                or_(table.c.locked_until.is_(None), table.c.locked_until < forgotten),
            )
            self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[table.c.kind, table.c.subject],
                    set_={
                        "failures": case((stale, 1), else_=table.c.failures + 1),
                        "last_failed_at": now,
                        "locked_until": case((stale, None), else_=table.c.locked_until),
                    },
                )
            )
            row = self._session.exec(
                select(SignInThrottle)
                .where(_matches(key))
                .execution_options(populate_existing=True)
            ).one()
            if (lock := self._policy.lock_for(row.failures)) is not None:
                row.locked_until = now + lock
                self._session.add(row)
        self._session.flush()

    def clear(self, key: ThrottleKey) -> None:
        self._session.exec(delete(SignInThrottle).where(_matches(key)))

    def purge(self, now: datetime | None = None) -> None:
        """Drop counts that would start from zero anyway."""
        forgotten = (now or utcnow()) - FORGET_AFTER
        self._session.exec(
            delete(SignInThrottle).where(
                SignInThrottle.last_failed_at < forgotten,
                or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < forgotten),
            )
        )


def _matches(key: ThrottleKey):
    return and_(SignInThrottle.kind == key.kind, SignInThrottle.subject == key.subject)
