"""The contract's time as stored: RFC 3339 UTC text, a per-second clock, usage days."""

from __future__ import annotations

import calendar
import time
from typing import Any

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DAY = 86_400


def format_ts(ts: float) -> str:
    """Epoch seconds as the contract's RFC 3339 UTC form (stored this way, so reads never format)."""
    return time.strftime(TIME_FORMAT, time.gmtime(int(ts)))


def parse_ts(text: str) -> int:
    """The contract's `...Z` time (as stored) as epoch seconds."""
    return calendar.timegm(time.strptime(text, TIME_FORMAT))


def usage_days(ts: float, days: int) -> list[str]:
    """The UTC dates of the last `days` days up to `ts`, oldest first."""
    wanted = [time.strftime("%Y-%m-%d", time.gmtime(int(ts) - DAY * i)) for i in range(days)]
    wanted.reverse()
    return wanted


class TextClock:
    """The wall clock as the contract's text, memoised per second (verify asks on every request)."""

    def __init__(self, clock: Any = time.time) -> None:
        self.clock = clock
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(self.clock())
        if second != self._second:
            self._second, self._text = second, format_ts(second)
        return self._text
