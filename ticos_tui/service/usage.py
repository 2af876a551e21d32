"""Coalesced key uses: counted in memory per instance, written about once a second, never dropped.

Every request authenticated by an API key (and every successful verify) is a use: it sets the
key's `last_used_at` and adds one to its count for the day. Writing each one would put a write
on the hot path, so uses are counted here and a store writes them in one transaction. A flush
takes the pending uses "in flight"; when its transaction commits they are gone from memory
(`landed`), and when it fails they go back to pending (`restore`), so none is lost or counted
twice. Reads add what is not written yet, so they never wait for a flush.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Usage = dict[tuple[str, str], int]  # (key id, day) -> requests


class UsageBuffer:
    """Uses not written yet; safe to call from threads and from the event loop (no I/O)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.time) -> None:
        self.interval = interval
        self.clock = clock  # the store's clock
        self._pending_last_used: dict[str, str] = {}
        self._pending_usage: Usage = {}
        self._flight_last_used: dict[str, str] = {}
        self._flight_usage: Usage = {}
        self._lock = threading.Lock()  # the four dicts above; held for microseconds
        self._last_flush = clock()

    def record(self, key_id: str, now: str) -> None:
        """Count one use of `key_id` at `now` (the contract's time text)."""
        slot = (key_id, now[:10])
        with self._lock:
            self._pending_last_used[key_id] = now
            pending = self._pending_usage
            pending[slot] = pending.get(slot, 0) + 1

    def due(self) -> bool:
        # A clock set back counts as due, so a step back in time never holds uses back.
        since = self.clock() - self._last_flush
        return bool(self._pending_last_used) and not 0 <= since < self.interval

    def take(self) -> tuple[dict[str, str], Usage] | None:
        """Move the pending uses in flight for a flush; None when there are none."""
        with self._lock:
            self._last_flush = self.clock()
            if not self._pending_last_used:
                return None
            last_used, self._pending_last_used = self._pending_last_used, {}
            usage, self._pending_usage = self._pending_usage, {}
            self._flight_last_used, self._flight_usage = last_used, usage
            return last_used, usage

    def landed(self) -> None:
        """The flush committed: its uses are in the database now."""
        with self._lock:
            self._flight_last_used, self._flight_usage = {}, {}

    def restore(self, last_used: dict[str, str], usage: Usage) -> None:
        """The flush of `take()`'s uses failed: back to pending for the next one."""
        with self._lock:
            if self._flight_last_used is not last_used:
                return  # landed after all
            for key_id, when in last_used.items():
                newer = self._pending_last_used.get(key_id)
                if newer is None or newer < when:
                    self._pending_last_used[key_id] = when
            for slot, count in usage.items():
                self._pending_usage[slot] = self._pending_usage.get(slot, 0) + count
            self._flight_last_used, self._flight_usage = {}, {}

    def last_used(self) -> dict[str, str]:
        """Last uses counted but not written yet (pending or in a flush), by key id."""
        with self._lock:
            if not self._flight_last_used:
                return dict(self._pending_last_used)
            used = dict(self._flight_last_used)
            used.update(self._pending_last_used)  # newer than the flight's
            return used

    def add_counts(self, key_id: str, counts: dict[str, int]) -> None:
        """Add the unwritten counts of `key_id` to `counts` (day -> requests)."""
        with self._lock:
            for source in (self._flight_usage, self._pending_usage):
                for (used_key, day), count in source.items():
                    if used_key == key_id:
                        counts[day] = counts.get(day, 0) + count


def flush_rows(
    last_used: dict[str, str], usage: Usage
) -> tuple[list[tuple[str, str]], list[tuple[str, str, int]]]:
    """The rows a flush writes, in key order (so concurrent flushes lock rows in one order)."""
    return (
        sorted((key_id, when) for key_id, when in last_used.items()),
        sorted((key_id, day, n) for (key_id, day), n in usage.items()),
    )
