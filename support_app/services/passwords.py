"""Password hashing with Argon2id at OWASP's documented minimum (19 MiB, t=2, p=1).

Why this profile and not argon2-cffi's default (64 MiB, t=3, 4 lanes): OWASP's
Password Storage Cheat Sheet lists five Argon2id profiles of equal strength against
guessing, and this one costs ~17 ms of one core here instead of ~100 ms of two, so a
burst of operators signing in at nine o'clock no longer queues for seconds (README,
"Passwords"). One lane keeps each verification on one core, the pool's thread.

Hashes made with other parameters still verify; the sign-in that verifies one
stores a new hash (``upgraded_hash``), so stored hashes move to this profile as
people sign in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP: "m=19456 (19 MiB), t=2, p=1" — the first of its equivalent Argon2id profiles.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, type=Type.ID
)

# Verified against when the e-mail is unknown, so a wrong e-mail costs the same
# time as a wrong password and sign-in does not reveal which accounts exist. Made
# with the same profile as every new hash, so it costs what theirs do.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def upgraded_hash(password_hash: str, password: str) -> str | None:
    """A hash of ``password`` with the current profile if ``password_hash`` (just
    verified against it) was made with other parameters, else None.

    Only a sign-in that has the plain password can do this; the caller stores the
    result in the sign-in's own transaction and never logs it.
    """
    if not _hasher.check_needs_rehash(password_hash):
        return None
    return _hasher.hash(password)
