"""Times as a person reads them ("3 days ago", "in 5 days", "never"); ticos_tui.core.present words keys with them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

# (seconds, unit, counts up to): a count that rounds to the limit reads as the next unit up.
# Days up to 59, no weeks: expiries are chosen in days (7, 30, 90), and a 30-day key a
# second old must read "in 30 days" as it did when made, not "in 4 weeks".
_UNITS = (
    (365 * 86400, "year", 0),
    (30 * 86400, "month", 12),
    (86400, "day", 60),
    (3600, "hour", 24),
    (60, "minute", 60),
)


# What the app reads the time from: `now_utc`, or a fixed one handed down from the app.
Clock: TypeAlias = Callable[[], datetime]


def now_utc() -> datetime:
    return datetime.now(UTC)


def _span(seconds: float) -> str:
    if seconds < 60:
        return ""
    # The smallest unit whose count stays under its limit. Nearest, not floor: a key made to
    # expire in 5 days reads "in 5 days", not "in 4"; and 59.9 minutes reads "1 hour".
    for size, unit, limit in reversed(_UNITS):
        count = int(seconds / size + 0.5)
        if count < limit or not limit:
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return ""


def duration(span: timedelta) -> str:
    """A length of time as `relative` words it: "30 days", "3 months", "1 year"; "" under a minute.

    A key's lifetime reads with it, so "the same lifetime" and the table's "in 30 days" agree.
    """
    return _span(abs(span.total_seconds()))


def spans() -> list[str]:
    """Every span `relative` words a moment within a century as ("5 minutes", "11 months"…).

    Columns are sized from these, so no time `relative` makes is ever cut.
    """
    found: list[str] = []
    for size, unit, _limit in _UNITS:
        count = 1
        while count < 100:
            text = _span(count * size)
            if not text.endswith((unit, f"{unit}s")):
                break  # rounded up into the next unit: every count of this one is listed
            found.append(text)
            count += 1
    return found


def relative(moment: datetime | None, now: datetime | None = None, *, never: str = "never") -> str:
    """`moment` relative to `now`: "just now", "3 days ago", "in 2 hours"; `never` for None."""
    if moment is None:
        return never
    now = now or now_utc()
    delta = (moment - now).total_seconds()
    span = _span(abs(delta))
    if not span:
        return "just now" if delta <= 0 else "in a moment"
    return f"in {span}" if delta > 0 else f"{span} ago"


def exact(moment: datetime | None, *, never: str = "never") -> str:
    """`moment` as an exact UTC time for details lines: `2026-11-26 20:12:53 UTC`."""
    if moment is None:
        return never
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
