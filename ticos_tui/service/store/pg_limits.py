"""Failed-attempt limits counted in PostgreSQL, so a limit holds across every instance."""

from __future__ import annotations

import math
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ticos_tui.service.store.limits import too_many


class Database(Protocol):
    """What the limiter needs of PgStore (a protocol, so the two modules import one way)."""

    def clock(self) -> float: ...

    async def one(self, query: str, params: tuple[Any, ...] = ()) -> Any: ...

    def connection(self) -> AbstractAsyncContextManager[Any]: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def throttled_event(
        self, conn: Any, client: str, kind: str, account_id: str | None, key_id: str | None
    ) -> None: ...


class SharedLimiter:
    """Failures per client in a window from its first failure (as the in-memory limiter counts
    them), in the `auth_failures` table: every instance sees every failure."""

    def __init__(self, store: Database, kind: str, limit: int, window: float) -> None:
        self.store = store
        self.kind = kind
        self.limit = limit
        self.window = window
        self._pruned_at = 0.0  # when this instance last dropped ended windows

    async def check(self, client: str) -> None:
        row = await self.store.one(
            "SELECT window_start, failures FROM auth_failures WHERE kind = %s AND client = %s",
            (self.kind, client),
        )
        if row is None or row[1] < self.limit:
            return
        left = float(row[0]) + self.window - self.store.clock()
        if left > 0:
            raise too_many(math.ceil(left))

    async def failed(
        self, client: str, account_id: str | None = None, key_id: str | None = None
    ) -> None:
        """One more failure of `client`, or 429 past the limit; a window that ended starts again.

        Checked and raised in ONE statement: the upsert locks the row, so concurrent failures
        on every instance see each other's counts and exactly `limit` of them pass. The count
        stops at `limit + 1` (only "past the limit" matters). The failure that reaches the
        limit writes `auth.throttled` in the same transaction: both are kept, or neither.
        """
        now = self.store.clock()
        ended = now - self.window
        async with self.store.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO auth_failures AS f (kind, client, window_start, failures)"
                " VALUES (%(kind)s, %(client)s, %(now)s, 1) ON CONFLICT (kind, client) DO UPDATE"
                " SET failures = CASE WHEN f.window_start <= %(ended)s THEN 1"
                " ELSE LEAST(f.failures + 1, %(over)s) END,"
                " window_start = CASE WHEN f.window_start <= %(ended)s THEN %(now)s"
                " ELSE f.window_start END"
                " RETURNING window_start, failures",
                {
                    "kind": self.kind,
                    "client": client,
                    "now": now,
                    "ended": ended,
                    "over": self.limit + 1,
                },
            )
            row = await cur.fetchone()
            if row is not None and int(row[1]) == self.limit:
                await self.store.throttled_event(conn, client, self.kind, account_id, key_id)
            if now - self._pruned_at >= self.window:  # once a window: drop ended ones
                self._pruned_at = now
                await conn.execute(
                    "DELETE FROM auth_failures WHERE kind = %s AND window_start <= %s",
                    (self.kind, ended),
                )
        if row is not None and row[1] > self.limit:
            raise too_many(math.ceil(float(row[0]) + self.window - now))
