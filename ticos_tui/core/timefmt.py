"""Times as a person reads them ("3 days ago", "in 5 days", "never"); ticos_tui.core.present words keys with them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeAlias

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


# What the app reads the time from: `now_utc`, or a fixed one handed down from the app.
Clock: TypeAlias = Callable[[], datetime]


def now_utc() -> datetime:
    return datetime.now(UTC)


def _span(seconds: float) -> str:
    for index, (size, unit) in enumerate(_UNITS):
        if seconds >= size:
            # Nearest, not floor: a key made to expire in 5 days reads "in 5 days", not "in 4";
            # and 59.9 minutes reads "1 hour", not "60 minutes".
            count = int(seconds / size + 0.5)
            if index and count * size >= _UNITS[index - 1][0]:
                size, unit = _UNITS[index - 1]
                count = int(seconds / size + 0.5)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return ""


def spans() -> list[str]:
    """Every span `relative` words a moment within a century as ("5 minutes", "11 months"…).

    Columns are sized from these, so no time `relative` makes is ever cut.
    """
    found: list[str] = []
    for size, unit in _UNITS:
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
