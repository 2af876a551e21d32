"""The PostgreSQL store's coalesced key uses (a mixin of `pg_store.PgStore`).

Uses are counted per instance in memory and added up in the database by periodic flushes.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ticos_tui.service.store.errors import StoreUnavailable
from ticos_tui.service.store.rows import UsageObject
from ticos_tui.service.store.times import usage_days
from ticos_tui.service.store.usage import UsageBuffer, flush_rows

log = logging.getLogger(__name__)

_ACTIVE = "account_id = %s AND id = %s AND NOT deleted"


class Database(Protocol):
    """What the mixin needs of PgStore (a protocol, so the two modules import one way)."""

    uses: UsageBuffer
    _flush_lock: asyncio.Lock
    _flushing: asyncio.Task[None] | None  # the flush flush_soon started, if any

    def now(self) -> str: ...

    def clock(self) -> float: ...

    def connection(self) -> AbstractAsyncContextManager[Any]: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def flush_uses(self) -> None: ...


class PgUsage:
    """Key uses: counted in memory, written by flushes, read with the unwritten ones."""

    _flushing: asyncio.Task[None] | None  # set by PgStore.__init__

    def record_use(self: Database, key_id: str) -> None:
        self.uses.record(key_id, self.now())

    def flush_soon(self: Database) -> None:
        if not self.uses.due() or (self._flushing is not None and not self._flushing.done()):
            return
        flushing = asyncio.get_running_loop().create_task(self.flush_uses())
        flushing.add_done_callback(_log_failed_flush)
        self._flushing = flushing

    async def flush_uses(self: Database) -> None:
        async with self._flush_lock:  # one at a time; usage() waits for it too (see there)
            taken = self.uses.take()
            if taken is None:
                return
            times, counts = flush_rows(*taken)
            try:
                async with self.transaction() as conn, conn.cursor() as cur:
                    # Instances flush in any order: a last use never moves back in time.
                    await cur.executemany(
                        "UPDATE api_keys SET last_used_at = %s WHERE id = %s"
                        " AND (last_used_at IS NULL OR last_used_at < %s)",
                        [(t, k, t) for k, t in times],
                    )
                    await cur.executemany(
                        "INSERT INTO key_usage (key_id, day, requests) VALUES (%s, %s, %s)"
                        " ON CONFLICT (key_id, day)"
                        " DO UPDATE SET requests = key_usage.requests + EXCLUDED.requests",
                        counts,
                    )
            except BaseException:
                self.uses.restore(*taken)
                raise
            self.uses.landed()

    async def usage(
        self: Database, account_id: str, key_id: str, days: int
    ) -> list[UsageObject] | None:
        wanted = usage_days(self.clock(), days)
        # Under the flush lock, a flush's counts are either in the database or still in memory
        # for the whole read, never both or neither.
        async with self._flush_lock, self.connection() as conn:
            cur = await conn.execute(
                f"SELECT 1 FROM api_keys WHERE {_ACTIVE}",  # noqa: S608 - constants
                (account_id, key_id),
            )
            if await cur.fetchone() is None:
                return None
            cur = await conn.execute(
                "SELECT day, requests FROM key_usage WHERE key_id = %s AND day >= %s",
                (key_id, wanted[0]),
            )
            counts = {day: int(n) for day, n in await cur.fetchall()}
            self.uses.add_counts(key_id, counts)
        return [{"date": day, "requests": counts.get(day, 0)} for day in wanted]


def _log_failed_flush(done: asyncio.Task[None]) -> None:
    if done.cancelled():
        return
    exc = done.exception()
    if isinstance(exc, StoreUnavailable):
        log.warning("key uses not written yet, kept for the next flush: %s", exc)
    elif exc is not None:
        log.error("writing key uses failed; kept for the next flush", exc_info=exc)
