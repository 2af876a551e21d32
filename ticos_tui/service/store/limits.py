"""Failed-attempt limits: 429 with `Retry-After` for a client past its failures in a window."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from ticos_tui.service.inputs import ApiProblem


def too_many(retry_after: int) -> ApiProblem:
    return ApiProblem(
        429,
        "too many failed authentication attempts from this client; retry later",
        {"Retry-After": str(max(1, retry_after))},
    )


class FailedAuthLimiter:
    """Counts failed attempts per client in this process, in windows from its first failure.

    The limiter of a store that one process owns (SQLite); a shared store counts in the
    database instead (pg_store.SharedLimiter), so a limit holds across instances.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        record: Callable[[str, str | None, str | None], Awaitable[None]],
    ) -> None:
        """`record(client, account_id, key_id)` writes the `auth.throttled` event."""
        self.record = record
        self.limit = limit
        self.window = window
        self.clock = clock
        self._windows: dict[str, list[float]] = {}  # client -> [window start, failures]

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it is not throttled."""
        entry = self._windows.get(client)
        if entry is None or entry[1] < self.limit:
            return None
        left = entry[0] + self.window - self.clock()
        if left <= 0:
            del self._windows[client]
            return None
        return max(1, math.ceil(left))

    async def check(self, client: str) -> None:
        retry = self.retry_after(client)
        if retry is not None:
            raise too_many(retry)

    async def failed(
        self, client: str, account_id: str | None = None, key_id: str | None = None
    ) -> None:
        """One more failure of `client`, or 429 past the limit: checked and counted without
        yielding to the event loop, so concurrent failures can't overshoot. The one that
        reaches the limit writes its event, and is taken back if that write fails.
        """
        now = self.clock()
        entry = self._windows.get(client)
        if entry is None or now - entry[0] >= self.window:
            if len(self._windows) >= 10_000:
                self._prune(now)
            entry = self._windows[client] = [now, 1]
        elif entry[1] >= self.limit:
            raise too_many(math.ceil(entry[0] + self.window - now))
        else:
            entry[1] += 1
        if entry[1] == self.limit:
            try:
                await self.record(client, account_id, key_id)
            except BaseException:
                entry[1] -= 1  # not counted: the next failure reaches the limit again
                raise

    def _prune(self, now: float) -> None:
        for client in [c for c, (start, _) in self._windows.items() if now - start >= self.window]:
            del self._windows[client]
