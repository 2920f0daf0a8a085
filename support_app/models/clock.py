"""One clock for every stored timestamp: timezone-aware UTC.

SQLModel's ``UTCDateTime`` columns refuse naive values and return UTC on SQLite
and PostgreSQL alike, so comparisons (session expiry, "latest") never mix zones.
"""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
