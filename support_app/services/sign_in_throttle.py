"""Sign-in throttling that an attacker cannot turn against the account's owner.

Three counters per attempt, shared by every worker (``sign_in_throttles``):

- **address**: failures from one client address, whatever the account. After
  ``free_failures`` the address is locked for ``backoff_seconds``, doubling with each
  further failure up to ``MAX_LOCK``: one machine cannot guess on.
- **account_address**: failures on one account from one address. Same back-off: the
  guesser of one account is slowed down, and only that guesser.
- **account**: failures on one account from anywhere (a distributed guess). Only at
  ``account_failures`` (100, NIST SP 800-63B's ceiling) does it lock, for a fixed
  ``backoff_seconds`` that never escalates, and that lock applies only to addresses
  which have themselves failed on the account. The owner signing in from an address
  that has not failed is never refused because somebody else guessed.

While a counter that applies is locked no password is checked at all, so guessing
costs the attacker time and the server nothing. A successful sign-in clears its
account_address count only: a valid account must not reset a guesser's address, and
the owner's success must not hand a distributed guesser a fresh 100. A counter with
no failure for ``FORGET_AFTER`` after its lock ended starts from zero; such rows are
purged. Accounts are stored as a hash of the e-mail as typed: a password typed into
the e-mail field is never kept in clear.

Counts are incremented with one atomic upsert, so concurrent attempts on several
workers all count.
"""

from __future__ import annotations

import hashlib
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
ADDRESS, ACCOUNT, ACCOUNT_ADDRESS = "address", "account", "account_address"


@dataclass(frozen=True)
class ThrottleKey:
    kind: str  # ADDRESS | ACCOUNT | ACCOUNT_ADDRESS
    subject: str


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    backoff_seconds: int
    # Failures on one account from every address before its (fixed, short) lock.
    account_failures: int = 100

    def lock_for(self, kind: str, failures: int) -> timedelta | None:
        """How long a key of ``kind`` with ``failures`` failures stays locked."""
        if kind == ACCOUNT:
            if failures < self.account_failures:
                return None
            return timedelta(seconds=self.backoff_seconds)
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 32)
        return min(timedelta(seconds=self.backoff_seconds * 2**doublings), MAX_LOCK)


@dataclass(frozen=True)
class AttemptKeys:
    """The three counters one sign-in attempt touches."""

    address: ThrottleKey
    account: ThrottleKey | None = None
    account_address: ThrottleKey | None = None

    @property
    def all(self) -> list[ThrottleKey]:
        return [k for k in (self.address, self.account, self.account_address) if k]


def keys_for(email: str, client_address: str) -> AttemptKeys:
    address = client_address[:SUBJECT_MAX] or "unknown"
    if not email:
        return AttemptKeys(ThrottleKey(ADDRESS, address))
    return AttemptKeys(
        address=ThrottleKey(ADDRESS, address),
        account=ThrottleKey(ACCOUNT, _digest(email)),
        account_address=ThrottleKey(ACCOUNT_ADDRESS, _digest(f"{email}\n{address}")),
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def minutes_to_wait(seconds: int) -> int:
    """What the sign-in page says: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))


class SignInThrottleService:
    def __init__(self, session: Session, policy: ThrottlePolicy) -> None:
        self._session = session
        self._policy = policy

    def seconds_locked(self, keys: AttemptKeys, now: datetime | None = None) -> int:
        """Seconds until this attempt may be checked (0: check it now)."""
        now = now or utcnow()
        rows = {
            (row.kind, row.subject): row
            for row in self._session.exec(
                select(SignInThrottle).where(or_(*(_matches(k) for k in keys.all)))
            )
        }

        def locked(key: ThrottleKey | None) -> int:
            row = rows.get((key.kind, key.subject)) if key else None
            if row is None or row.locked_until is None or row.locked_until <= now:
                return 0
            return math.ceil((row.locked_until - now).total_seconds())

        waits = [locked(keys.address), locked(keys.account_address)]
        pair = rows.get((ACCOUNT_ADDRESS, keys.account_address.subject)) if keys.account else None
        if pair is not None and pair.last_failed_at > now - FORGET_AFTER:
            waits.append(locked(keys.account))  # only where this address has failed too
        return max(waits)

    def record_failure(self, keys: AttemptKeys, now: datetime | None = None) -> None:
        """Count one failure on each key (atomically) and lock keys past their limit."""
        now = now or utcnow()
        forgotten = now - FORGET_AFTER
        table = SignInThrottle.__table__
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in keys.all:
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
            if (lock := self._policy.lock_for(key.kind, row.failures)) is not None:
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
