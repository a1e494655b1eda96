"""Time in UTC for the accounts modules (SQLite keeps no time zone: read times are UTC)."""

from __future__ import annotations

import datetime as dt


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` with its time zone; a naive time read from the database is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def now(value: dt.datetime | None = None) -> dt.datetime:
    """``value`` in UTC, or the current time when not given."""
    return utc(value) or dt.datetime.now(dt.UTC)
