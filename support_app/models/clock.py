"""One clock for every stored timestamp: timezone-aware UTC.

SQLModel's ``UTCDateTime`` columns refuse naive values and return UTC on SQLite
and PostgreSQL alike, so comparisons (session expiry, "latest") never mix zones.
"""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_utc(value: datetime | None) -> str | None:
    """A stored timestamp as ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds, same on every DB).

    Machine-readable snapshots use this so the same record always serialises to the
    same bytes, whichever database it was read from.
    """
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
