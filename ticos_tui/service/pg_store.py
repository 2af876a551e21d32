"""PgStore: the `Store` protocol on PostgreSQL (psycopg 3, an async connection pool).

Several `serve` instances may share one database: everything one acknowledges is in the
database before the answer, and every request reads keys and session tokens from it (no
per-instance cache, so a key revoked on one instance fails on all from the next request).
Key uses are coalesced per instance and added up in the database; failure counts live there.

While PostgreSQL is unreachable every call gives up within `write_timeout` (the pool's wait for
a connection, or the query's deadline) with StoreUnavailable; the pool keeps reconnecting in the
background and checks each connection before handing it out, so the service recovers by itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from ticos_tui.keyformat import generate_key, generate_token, secret_hash, snippet
from ticos_tui.service.pg_limits import SharedLimiter
from ticos_tui.service.records import (
    FLUSH_INTERVAL,
    WRITE_TIMEOUT,
    Clock,
    KeyAuth,
    KeyConflict,
    StoreUnavailable,
    format_ts,
    key_json,
    key_list_filter,
    new_id,
    roll_refusal,
    rolled_expiry,
    usage_days,
)
from ticos_tui.service.schema_pg import migrate
from ticos_tui.service.usage import UsageBuffer, flush_rows

log = logging.getLogger(__name__)

DOWN_WAIT = 1.0  # seconds a call waits for a connection while the database is down
POOL_SIZE = 10  # connections per instance; PostgreSQL's default allows 100 in all
_KEY_COLUMNS = "id, name, snippet, scopes, created_at, last_used_at, expires_at, revoked_at"
_ACTIVE = "account_id = %s AND id = %s AND NOT deleted"


def _json(row: Any, now: str, used: dict[str, str] | None = None) -> dict[str, Any]:
    return key_json(row, list(row[3]), now, used)


class PgStore:
    """The store in the PostgreSQL database at `url` (use `PgStore.open`, which migrates)."""

    def __init__(
        self, url: str, clock: Callable[[], float] = time.time, *, write_timeout: float
    ) -> None:
        self.url = url
        self.clock = clock
        self.write_timeout = write_timeout
        self._clock = Clock(clock)
        self.uses = UsageBuffer(FLUSH_INTERVAL, clock)
        self._pool: AsyncConnectionPool | None = None
        self._reachable = True  # False since a call found the database unreachable
        self._opening: asyncio.Future[AsyncConnectionPool] | None = None
        self._flush_lock = asyncio.Lock()
        self._flushing: asyncio.Task[None] | None = None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Callable[[], float] = time.time,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> PgStore:
        """Migrate the database at `url` (now, once across instances) and return its store.

        Raises:
            StoreUnavailable: the database could not be reached.
            RuntimeError: its schema is newer than this release.
        """
        try:
            with psycopg.connect(url, connect_timeout=max(2, math.ceil(write_timeout))) as conn:
                migrate(conn)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot use the database: {_reason(exc)}") from None
        return cls(url, clock, write_timeout=write_timeout)

    # -- plumbing ---------------------------------------------------------------------------

    async def _pool_now(self) -> AsyncConnectionPool:
        if self._pool is not None:
            return self._pool
        if self._opening is None:  # the first caller opens it; the others wait for that
            self._opening = asyncio.ensure_future(self._open_pool())
        opening = self._opening
        try:
            return await asyncio.shield(opening)
        finally:
            if opening.done():
                self._opening = None

    async def _open_pool(self) -> AsyncConnectionPool:
        pool = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=POOL_SIZE,
            timeout=self.write_timeout,  # a call waits this long for a connection: then 503
            check=AsyncConnectionPool.check_connection,  # a connection PG dropped is replaced
            kwargs={"autocommit": True, "connect_timeout": max(2, math.ceil(self.write_timeout))},
            open=False,
            name="ticos",
        )
        await pool.open(wait=False)  # connects in the background; PG may be down right now
        self._pool = pool
        return pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection for one call, which must finish within `write_timeout`."""
        pool = await self._pool_now()
        # While the database is known to be down, callers wait less for a connection: the
        # first one after a failure waits the full `write_timeout`, the rest DOWN_WAIT each.
        wait = self.write_timeout if self._reachable else min(DOWN_WAIT, self.write_timeout)
        try:
            async with asyncio.timeout(self.write_timeout), pool.connection(wait) as conn:
                yield conn
        except TimeoutError:
            self._reachable = False
            raise StoreUnavailable("the database did not answer in time") from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            self._reachable = False
            raise StoreUnavailable(f"the database could not answer: {_reason(exc)}") from None
        self._reachable = True

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    async def one(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        async with self.connection() as conn:
            cur = await conn.execute(query, params)
            return await cur.fetchone()

    def now(self) -> str:
        return self._clock.now()

    async def ping(self) -> None:
        await self.one("SELECT 1 FROM accounts LIMIT 1")

    async def close(self) -> None:
        try:
            await self.flush_uses()
        finally:
            pool, self._pool = self._pool, None
            if pool is not None:
                await pool.close()

    def failure_limiter(self, kind: str, limit: int, window: float) -> SharedLimiter:
        return SharedLimiter(self, kind, limit, window)  # counts in the database (pg_limits.py)

    # -- accounts and session tokens ------------------------------------------------------

    async def create_account(self, name: str, email: str, *, local: bool = False) -> str:
        account_id = new_id("acc_")
        async with self.connection() as conn:
            await conn.execute(
                "INSERT INTO accounts (id, name, email, created_at, is_local)"
                " VALUES (%s, %s, %s, %s, %s)",
                (account_id, name, email, self.now(), local),
            )
        return account_id

    async def local_account(self) -> str | None:
        row = await self.one("SELECT id FROM accounts WHERE is_local ORDER BY seq LIMIT 1")
        return None if row is None else str(row[0])

    async def account(self, account_id: str) -> dict[str, str] | None:
        row = await self.one(
            "SELECT id, name, email, created_at FROM accounts WHERE id = %s", (account_id,)
        )
        if row is None:
            return None
        return {"id": row[0], "name": row[1], "email": row[2], "created_at": row[3]}

    async def issue_session_token(self, account_id: str, *, revoke_others: bool = False) -> str:
        token = generate_token()
        async with self._transaction() as conn:
            if revoke_others:
                await conn.execute(
                    "DELETE FROM session_tokens WHERE account_id = %s", (account_id,)
                )
            await conn.execute(
                "INSERT INTO session_tokens (token_hash, account_id, created_at)"
                " VALUES (%s, %s, %s)",
                (secret_hash(token), account_id, self.now()),
            )
        return token

    async def end_session(self, token_hash: str) -> None:
        async with self.connection() as conn:
            await conn.execute("DELETE FROM session_tokens WHERE token_hash = %s", (token_hash,))

    async def account_for_token_hash(self, token_hash: str) -> str | None:
        row = await self.one(
            "SELECT account_id FROM session_tokens WHERE token_hash = %s", (token_hash,)
        )
        return None if row is None else str(row[0])

    # -- keys ------------------------------------------------------------------------------

    async def key_by_hash(self, key_hash: str) -> KeyAuth | None:
        row = await self.one(
            "SELECT id, account_id, scopes, expires_at, revoked_at, deleted"
            " FROM api_keys WHERE key_hash = %s",
            (key_hash,),
        )
        if row is None:
            return None
        return KeyAuth(row[0], row[1], list(row[2]), row[3], row[4], bool(row[5]))

    @staticmethod
    async def _insert_key(
        conn: psycopg.AsyncConnection[Any],
        account_id: str,
        name: str,
        scopes: list[str],
        expires_at: str | None,
        now: str,
    ) -> tuple[Any, str]:
        key = generate_key()
        cur = await conn.execute(
            "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, scopes, created_at,"  # noqa: S608 - constant fragments
            " expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            f" RETURNING {_KEY_COLUMNS}",
            (new_id("key_"), account_id, name, secret_hash(key), snippet(key), scopes, now,
             expires_at),
        )  # fmt: skip
        return await cur.fetchone(), key

    async def create_key(
        self, account_id: str, name: str, scopes: list[str], expires_at: str | None
    ) -> tuple[dict[str, Any], str]:
        now = self.now()
        async with self.connection() as conn:
            row, key = await self._insert_key(conn, account_id, name, scopes, expires_at, now)
        return _json(row, now), key

    async def create_keys_bulk(self, account_id: str, names: list[str]) -> None:
        now = self.now()
        rows = []
        for name in names:
            key = generate_key()
            rows.append((new_id("key_"), account_id, name, secret_hash(key), snippet(key), now))
        async with self._transaction() as conn, conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, scopes,"
                " created_at) VALUES (%s, %s, %s, %s, %s, ARRAY['*'], %s)",
                rows,
            )

    async def key_scopes(self, account_id: str, key_id: str) -> list[str] | None:
        row = await self.one(f"SELECT scopes FROM api_keys WHERE {_ACTIVE}", (account_id, key_id))  # noqa: S608 - constant fragments
        return None if row is None else list(row[0])

    async def get_key(self, account_id: str, key_id: str) -> dict[str, Any] | None:
        used = self.uses.last_used()
        row = await self.one(
            f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE {_ACTIVE}",  # noqa: S608 - constants
            (account_id, key_id),
        )
        return None if row is None else _json(row, self.now(), used)

    async def list_keys(
        self, account_id: str, status: str, limit: int, before_seq: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        used = self.uses.last_used()
        now = self.now()
        where, params = key_list_filter(
            account_id, status, before_seq, now, mark="%s", live="NOT deleted"
        )
        params.append(limit + 1)
        async with self.connection() as conn:
            cur = await conn.execute(
                f"SELECT seq, {_KEY_COLUMNS} FROM api_keys WHERE {where}"  # noqa: S608 - constant fragments
                " ORDER BY seq DESC LIMIT %s",
                params,
            )
            rows = await cur.fetchall()
        next_seq = int(rows[limit - 1][0]) if len(rows) > limit else None
        return [_json(row[1:], now, used) for row in rows[:limit]], next_seq

    async def rename_key(self, account_id: str, key_id: str, name: str) -> dict[str, Any] | None:
        used = self.uses.last_used()
        row = await self.one(
            f"UPDATE api_keys SET name = %s WHERE {_ACTIVE} RETURNING {_KEY_COLUMNS}",  # noqa: S608 - constant fragments
            (name, account_id, key_id),
        )
        return None if row is None else _json(row, self.now(), used)

    async def revoke_key(
        self, account_id: str, key_id: str, *, delete: bool = False
    ) -> dict[str, Any] | None:
        used = self.uses.last_used()
        now = self.now()
        row = await self.one(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, %s), deleted = %s"  # noqa: S608 - constant fragments
            f" WHERE {_ACTIVE} RETURNING {_KEY_COLUMNS}",
            (now, delete, account_id, key_id),
        )
        if row is None:
            return None
        return {} if delete else _json(row, now, used)

    async def roll_key(
        self,
        account_id: str,
        key_id: str,
        grace_seconds: int,
        *,
        expires_at: str | None = None,
        keep_lifetime: bool = True,
    ) -> tuple[dict[str, Any], str] | None:
        ts = self.clock()
        now = format_ts(ts)
        async with self._transaction() as conn:
            # FOR UPDATE: a concurrent roll (on any instance) waits here, then sees rolled_to.
            cur = await conn.execute(
                "SELECT name, scopes, created_at, expires_at, revoked_at, rolled_to"  # noqa: S608 - constant fragments
                f" FROM api_keys WHERE {_ACTIVE} FOR UPDATE",
                (account_id, key_id),
            )
            old = await cur.fetchone()
            if old is None:
                return None
            name, scopes, created_at, old_expires, revoked_at, rolled_to = old
            refusal = roll_refusal(revoked_at, old_expires, rolled_to, now)
            if refusal is not None:
                raise KeyConflict(refusal)
            new_expiry = rolled_expiry(ts, created_at, old_expires, expires_at, keep_lifetime)
            row, key = await self._insert_key(conn, account_id, name, list(scopes), new_expiry, now)
            if grace_seconds == 0:
                await conn.execute(
                    "UPDATE api_keys SET rolled_to = %s, revoked_at = %s WHERE id = %s",
                    (row[0], now, key_id),
                )
            else:
                ends = format_ts(ts + grace_seconds)  # never extends an earlier expiry
                await conn.execute(
                    "UPDATE api_keys SET rolled_to = %s, expires_at = CASE WHEN expires_at"
                    " IS NOT NULL AND expires_at < %s THEN expires_at ELSE %s END WHERE id = %s",
                    (row[0], ends, ends, key_id),
                )
        return _json(row, now), key

    # -- usage -----------------------------------------------------------------------------

    def record_use(self, key_id: str) -> None:
        self.uses.record(key_id, self.now())

    def flush_soon(self) -> None:
        if not self.uses.due() or (self._flushing is not None and not self._flushing.done()):
            return
        self._flushing = asyncio.get_running_loop().create_task(self.flush_uses())
        self._flushing.add_done_callback(_log_failed_flush)

    async def flush_uses(self) -> None:
        async with self._flush_lock:  # one at a time; usage() waits for it too (see there)
            taken = self.uses.take()
            if taken is None:
                return
            times, counts = flush_rows(*taken)
            try:
                async with self._transaction() as conn, conn.cursor() as cur:
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

    async def usage(self, account_id: str, key_id: str, days: int) -> list[dict[str, Any]] | None:
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


def _reason(exc: BaseException) -> str:
    # The driver's message, on one line and short; never the URL (it may hold a password).
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _log_failed_flush(done: asyncio.Task[None]) -> None:
    if done.cancelled():
        return
    exc = done.exception()
    if isinstance(exc, StoreUnavailable):
        log.warning("key uses not written yet, kept for the next flush: %s", exc)
    elif exc is not None:
        log.error("writing key uses failed; kept for the next flush", exc_info=exc)
