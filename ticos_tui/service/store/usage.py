"""Coalesced key uses: counted in memory per instance, written about once a second, never dropped.

Every request authenticated by an API key (and every successful verify) is a use: it sets the
key's `last_used_at` and adds one to its count for the day. Writing each one would put a write
on the hot path, so uses are counted here and a store writes them in one transaction. A flush
takes the pending uses "in flight"; when its transaction commits they are gone from memory
(`landed`), and when it fails they go back to pending (`restore`), so none is lost or counted
twice. Reads add what is not written yet, so they never wait for a flush.

Uses the store cannot take when it closes (PostgreSQL down, SQLite locked at shutdown) go to a
private (0600) spill file in the data folder, and the next store opened on that folder takes
them back as pending uses (see SpillFiles), so a shutdown drops none either.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ticos_tui.core.errors import ConfigError
from ticos_tui.settings.paths import read_private_file, write_private_file

Usage = dict[tuple[str, str], int]  # (key id, day) -> requests

log = logging.getLogger(__name__)


class UsageBuffer:
    """Uses not written yet; safe to call from threads and from the event loop (no I/O, but at
    construction and in `landed` / `spill` when it has a spill folder)."""

    def __init__(
        self,
        interval: float,
        spill_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.interval = interval
        self.clock = clock  # the store's clock
        self._pending_last_used: dict[str, str] = {}
        self._pending_usage: Usage = {}
        self._flight_last_used: dict[str, str] = {}
        self._flight_usage: Usage = {}
        self._lock = threading.Lock()  # the four dicts above; held for microseconds
        self._last_flush = clock()
        self._spill = None if spill_dir is None else SpillFiles(spill_dir)
        if self._spill is not None:
            kept = self._spill.claim()
            if kept is not None:
                self.restore(*kept, force=True)

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
        """The flush committed: its uses are in the database now (and so are the spilled ones
        taken back at the start, which were pending before any flush took them)."""
        with self._lock:
            self._flight_last_used, self._flight_usage = {}, {}
        if self._spill is not None:
            self._spill.written()

    def spill(self) -> bool:
        """The store is closing and could not take the uses: keep them in the spill file.

        Returns whether no use is left only in memory (kept, or there were none).
        """
        with self._lock:
            last_used = {**self._flight_last_used, **self._pending_last_used}
            usage = dict(self._pending_usage)
            for slot, count in self._flight_usage.items():
                usage[slot] = usage.get(slot, 0) + count
        if not last_used:
            return True
        if self._spill is None or not self._spill.keep(last_used, usage):
            return False
        with self._lock:  # the file holds them now: a store used again must not write them
            self._pending_last_used, self._pending_usage = {}, {}
            self._flight_last_used, self._flight_usage = {}, {}
        return True

    def restore(self, last_used: dict[str, str], usage: Usage, *, force: bool = False) -> None:
        """The flush of `take()`'s uses failed: back to pending for the next one.

        `force`: uses from elsewhere (a spill file), added whatever is in flight.
        """
        with self._lock:
            if not force and self._flight_last_used is not last_used:
                return  # landed after all
            for key_id, when in last_used.items():
                newer = self._pending_last_used.get(key_id)
                if newer is None or newer < when:
                    self._pending_last_used[key_id] = when
            for slot, count in usage.items():
                self._pending_usage[slot] = self._pending_usage.get(slot, 0) + count
            if not force:
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


SPILL_PREFIX = "unwritten-uses-"
_LIVE_TOKENS: set[str] = set()  # claim tokens of this process's stores (random, never reused)


class SpillFiles:
    """Key uses kept in the data folder across a shutdown the store could not take them at.

    Each shutdown that spills writes a new `unwritten-uses-<random>.json` (0600, atomically). A
    store opening claims every such file by renaming it to `....replaying-<pid>-<token>` (a
    rename succeeds once, so two stores on one folder never both replay a file; a claim whose
    store is gone - its process ended, or it was an earlier process with the same pid - is
    taken over), and deletes its claims once a flush has written them. A claimed file not
    written yet is covered by the next spill, which is written first.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._claimed: list[Path] = []
        self._token = secrets.token_hex(4)
        _LIVE_TOKENS.add(self._token)

    def claim(self) -> tuple[dict[str, str], Usage] | None:
        """The uses of every unclaimed spill file, now claimed by this process; None: none."""
        last_used: dict[str, str] = {}
        usage: Usage = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return None
        for name in names:
            if not name.startswith(SPILL_PREFIX) or not self._claimable(name):
                continue
            base = name.partition(".replaying-")[0]
            claimed = self.folder / f"{base}.replaying-{os.getpid()}-{self._token}"
            try:
                os.rename(self.folder / name, claimed)
            except OSError:
                continue  # another process claimed it first
            try:
                _merge(json.loads(read_private_file(claimed) or "{}"), last_used, usage)
            except (ConfigError, ValueError, TypeError, KeyError) as err:
                log.error("key uses in %s could not be read, left there: %s", claimed, err)
                os.replace(claimed, claimed.with_name(claimed.name + ".unreadable"))
                continue
            self._claimed.append(claimed)
        if not last_used:
            return None
        log.warning("%d key uses kept at an earlier shutdown are written now", sum(usage.values()))
        return last_used, usage

    @staticmethod
    def _claimable(name: str) -> bool:
        if name.endswith(".json"):
            return True
        _, marker, owner = name.partition(".replaying-")
        pid, _, token = owner.partition("-")
        if not marker or not pid.isdigit() or not token:
            return False
        if int(pid) == os.getpid():
            return token not in _LIVE_TOKENS  # else a live store of this process holds it
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True  # its process ended before writing it
        except OSError:
            return False
        return False

    def written(self) -> None:
        """A flush committed every use claimed so far: their files go."""
        claimed, self._claimed = self._claimed, []
        for path in claimed:
            path.unlink(missing_ok=True)

    def keep(self, last_used: dict[str, str], usage: Usage) -> bool:
        """Write the uses to a new spill file, then drop the claims it now covers; False when
        the file could not be written (the uses stay where they were)."""
        path = self.folder / f"{SPILL_PREFIX}{secrets.token_hex(6)}.json"
        rows = {"last_used": last_used, "usage": [[k, day, n] for (k, day), n in usage.items()]}
        count = sum(usage.values())
        try:
            write_private_file(path, json.dumps(rows, sort_keys=True))
        except (OSError, ConfigError) as err:
            log.error("%d key uses could not be written, nor kept in %s: %s", count, path, err)
            return False
        self.written()
        log.warning("%d key uses could not be written; kept in %s for the next start", count, path)
        return True


def _merge(rows: dict[str, object], last_used: dict[str, str], usage: Usage) -> None:
    """Add a spill file's rows to `last_used` and `usage`; TypeError/KeyError when malformed."""
    times = rows["last_used"]
    counts = rows["usage"]
    if not isinstance(times, dict) or not isinstance(counts, list):
        raise TypeError("not a file of key uses")
    for key_id, when in times.items():
        if not isinstance(when, str):
            raise TypeError("a last use is not a time")
        if last_used.get(key_id, "") < when:
            last_used[key_id] = when
    for key_id, day, n in counts:
        if not (isinstance(key_id, str) and isinstance(day, str) and type(n) is int and n > 0):
            raise TypeError("a count is not a number of requests")
        usage[(key_id, day)] = usage.get((key_id, day), 0) + n
