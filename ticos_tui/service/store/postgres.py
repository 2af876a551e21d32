"""PgStore: the `Store` protocol on PostgreSQL (psycopg 3, an async connection pool).

Several `serve` instances may share one database: everything one acknowledges is in the
database before the answer, and every request reads keys and session tokens from it (no
per-instance cache, so a key revoked on one instance fails on all from the next request).
Key uses are coalesced per instance and added up in the database; failure counts live there.

While PostgreSQL is unreachable every call gives up within `write_timeout` (the pool's wait for
a connection, or the query's deadline) with StoreUnavailable; the pool keeps reconnecting in the
background and checks a connection before handing it out (unless it answered within FRESH
seconds), so the service recovers by itself.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from ticos_tui.service.audit import Actor, Change, revoke_change, roll_change
from ticos_tui.service.store.constants import FLUSH_INTERVAL, WRITE_TIMEOUT
from ticos_tui.service.store.errors import StoreUnavailable, driver_reason
from ticos_tui.service.store.filters import key_list_filter
from ticos_tui.service.store.ids import new_id
from ticos_tui.service.store.pg_audit import PgAudit
from ticos_tui.service.store.pg_limits import SharedLimiter
from ticos_tui.service.store.pg_usage import PgUsage
from ticos_tui.service.store.rolls import NewKey, Roll, key_insert, new_key_row, rolled_key
from ticos_tui.service.store.rows import KeyAuth, KeyObject, key_json, page_of, page_sql
from ticos_tui.service.store.schema_pg import migrate
from ticos_tui.service.store.times import TextClock, format_ts
from ticos_tui.service.store.usage import UsageBuffer

log = logging.getLogger(__name__)

DOWN_WAIT = 1.0  # seconds a call waits for a connection while the database is down
# How long the pool keeps retrying a connection before leaving it to the next call, which
# tries at once: psycopg_pool backs off 1, 2, 4, 8 s between attempts, so an outage with
# health probes put the next attempt up to 8 s after the database was back; now at most 1 s.
RECONNECT_WINDOW = 1.0
POOL_SIZE = 10  # connections per instance; PostgreSQL's default allows 100 in all
# Seconds after a connection's last answer that it is handed out unchecked (a check is a round
# trip: it doubled a verify's cost); one PostgreSQL dropped has not answered since, so is checked.
FRESH = 0.5
_KEY_COLUMNS = (
    "id, name, snippet, scopes, created_at, last_used_at, expires_at, revoked_at,"
    " replaces, rolled_to"
)
_ACTIVE = "account_id = %s AND id = %s AND NOT deleted"


def _json(row: Any, now: str, used: dict[str, str] | None = None) -> KeyObject:
    return key_json(row, list(row[3]), now, used)


class PgStore(PgUsage, PgAudit):
    """The store in the PostgreSQL database at `url` (use `PgStore.open`, which migrates)."""

    def __init__(
        self,
        url: str,
        clock: Callable[[], float] = time.time,
        *,
        write_timeout: float,
        spill_dir: Path | None = None,
    ) -> None:
        self.url = url
        self.clock = clock
        self.write_timeout = write_timeout
        self._clock = TextClock(clock)
        # Coalesced uses, with those a shutdown could not write taken back (see usage.py).
        self.uses = UsageBuffer(FLUSH_INTERVAL, spill_dir=spill_dir, clock=clock)
        self._pool: AsyncConnectionPool | None = None
        self._reachable = True  # False since a call found the database unreachable
        self._opening: asyncio.Future[AsyncConnectionPool] | None = None
        self._flush_lock = asyncio.Lock()
        self._flushing: asyncio.Task[None] | None = None
        self._answered: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Callable[[], float] = time.time,
        write_timeout: float = WRITE_TIMEOUT,
        spill_dir: Path | None = None,
    ) -> PgStore:
        """Migrate the database at `url` (now, once across instances) and return its store.

        `spill_dir`: the data folder, where uses that can't be written at close are kept.

        Raises:
            StoreUnavailable: the database could not be reached.
            RuntimeError: its schema is newer than this release.
        """
        try:
            with psycopg.connect(url, connect_timeout=max(2, math.ceil(write_timeout))) as conn:
                migrate(conn)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot use the database: {driver_reason(exc)}") from None
        return cls(url, clock, write_timeout=write_timeout, spill_dir=spill_dir)

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
            check=self._check,  # a connection PG dropped is replaced
            reconnect_timeout=RECONNECT_WINDOW,
            kwargs={"autocommit": True, "connect_timeout": max(2, math.ceil(self.write_timeout))},
            open=False,
            name="ticos",
        )
        await pool.open(wait=False)  # connects in the background; PG may be down right now
        self._pool = pool
        return pool

    async def _check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        # The pool's check before handing `conn` out: a round trip unless it answered lately.
        if time.monotonic() - self._answered.get(conn, -FRESH - 1.0) > FRESH or conn.broken:
            await AsyncConnectionPool.check_connection(conn)

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
                self._answered[conn] = time.monotonic()
        except TimeoutError:
            self._reachable = False
            raise StoreUnavailable("the database did not answer in time") from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            self._reachable = False
            raise StoreUnavailable(f"the database could not answer: {driver_reason(exc)}") from None
        self._reachable = True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
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
        except StoreUnavailable:
            if not self.uses.spill():  # kept in the data folder for the next start
                raise
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
        new: NewKey,
        now: str,
        replaces: str | None = None,
    ) -> tuple[Any, str]:
        key, row = new_key_row(account_id, new, now, replaces, new.scopes)
        cur = await conn.execute(key_insert("%s") + f" RETURNING {_KEY_COLUMNS}", row)
        return await cur.fetchone(), key

    async def create_key(
        self, account_id: str, new: NewKey, actor: Actor | None = None
    ) -> tuple[KeyObject, str]:
        now = self.now()
        async with self.transaction() as conn:
            row, key = await self._insert_key(conn, account_id, new, now)
            detail = {"scopes": new.scopes, "expires_at": new.expires_at}
            await self.event(
                conn, account_id, Change("key.created", row[0], new.name, detail), actor
            )
        return _json(row, now), key

    async def key_scopes(self, account_id: str, key_id: str) -> list[str] | None:
        row = await self.one(f"SELECT scopes FROM api_keys WHERE {_ACTIVE}", (account_id, key_id))  # noqa: S608 - constant fragments
        return None if row is None else list(row[0])

    async def get_key(self, account_id: str, key_id: str) -> KeyObject | None:
        used = self.uses.last_used()
        row = await self.one(
            f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE {_ACTIVE}",  # noqa: S608 - constants
            (account_id, key_id),
        )
        return None if row is None else _json(row, self.now(), used)

    async def list_keys(
        self, account_id: str, status: str, limit: int, before_seq: int | None
    ) -> tuple[list[KeyObject], int | None]:
        used = self.uses.last_used()
        now = self.now()
        where, params = key_list_filter(
            account_id, status, before_seq, now, mark="%s", live="NOT deleted"
        )
        params.append(limit + 1)
        async with self.connection() as conn:
            cur = await conn.execute(page_sql(_KEY_COLUMNS, "api_keys", where, "%s"), params)
            found = await cur.fetchall()
        return page_of(found, limit, lambda row: _json(row, now, used))

    async def _lock_key(self, conn: Any, account_id: str, key_id: str) -> Any:
        cur = await conn.execute(
            f"SELECT name, revoked_at FROM api_keys WHERE {_ACTIVE} FOR UPDATE",  # noqa: S608 - constants
            (account_id, key_id),
        )
        return await cur.fetchone()

    async def rename_key(
        self, account_id: str, key_id: str, name: str, actor: Actor | None = None
    ) -> KeyObject | None:
        used = self.uses.last_used()
        async with self.transaction() as conn:
            old = await self._lock_key(conn, account_id, key_id)
            if old is None:
                return None
            cur = await conn.execute(
                f"UPDATE api_keys SET name = %s WHERE id = %s RETURNING {_KEY_COLUMNS}",  # noqa: S608 - constant fragments
                (name, key_id),
            )
            row = await cur.fetchone()
            detail = {"old_name": old[0], "new_name": name}
            await self.event(conn, account_id, Change("key.renamed", key_id, name, detail), actor)
        return _json(row, self.now(), used)

    async def revoke_key(
        self, account_id: str, key_id: str, *, delete: bool = False, actor: Actor | None = None
    ) -> KeyObject | None:
        used = self.uses.last_used()
        now = self.now()
        async with self.transaction() as conn:
            old = await self._lock_key(conn, account_id, key_id)
            if old is None:
                return None
            cur = await conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, %s), deleted = %s"  # noqa: S608 - constant fragments
                f" WHERE id = %s RETURNING {_KEY_COLUMNS}",
                (now, delete, key_id),
            )
            row = await cur.fetchone()
            change = revoke_change(key_id, old[0], old[1], delete)
            if change is not None:  # revoking a revoked key changes nothing: no event
                await self.event(conn, account_id, change, actor)
        return _json(row, now, used)  # a deleted key as it was deleted

    async def roll_key(
        self, account_id: str, key_id: str, roll: Roll, actor: Actor | None = None
    ) -> tuple[KeyObject, str] | None:
        ts = self.clock()
        now = format_ts(ts)
        async with self.transaction() as conn:
            # FOR UPDATE: a concurrent roll (on any instance) waits here, then sees rolled_to.
            cur = await conn.execute(
                "SELECT name, scopes, created_at, expires_at, revoked_at, rolled_to"  # noqa: S608 - constant fragments
                f" FROM api_keys WHERE {_ACTIVE} FOR UPDATE",
                (account_id, key_id),
            )
            old = await cur.fetchone()
            new = rolled_key(old, roll, ts, list)
            if new is None:
                return None
            row, key = await self._insert_key(conn, account_id, new, now, key_id)
            grace_seconds = roll.grace_seconds
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
            await self.event(
                conn, account_id, roll_change(key_id, new.name, row[0], grace_seconds), actor
            )
        return _json(row, now), key
