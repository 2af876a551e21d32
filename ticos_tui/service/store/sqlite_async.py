"""SqliteStore: the embedded SQLite store behind the async `Store` protocol.

The blocking `sqlite_store.Store` does the work: short reads (a key or token by hash, a key, a
page of up to HERE_PAGE keys) on the event loop's own thread with a connection that never
waits for a lock; other reads on a few worker threads; writes queued on one worker with a
deadline (`StoreCalls`), so the event loop never waits for SQLite's lock.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from ticos_tui.service.audit import Actor, EventObject, EventQuery
from ticos_tui.service.store.errors import StoreBusy, StoreUnavailable
from ticos_tui.service.store.limits import FailedAuthLimiter
from ticos_tui.service.store.offloop import StoreCalls
from ticos_tui.service.store.rolls import NewKey, Roll
from ticos_tui.service.store.rows import (
    AccountSummary,
    KeyAuth,
    KeyObject,
    SessionSummary,
    UsageObject,
)
from ticos_tui.service.store.sqlite import Store

HERE_PAGE = 100  # the largest page of keys read on the event loop's own thread

T = TypeVar("T")
P = ParamSpec("P")


class SqliteStore:
    """The `Store` protocol over SQLite in `data_dir` (opened, and migrated, now)."""

    def __init__(self, open_store: Callable[[], Store]) -> None:
        """`open_store` opens the blocking store (again after close: a host may rerun the
        lifespan), e.g. `functools.partial(Store, data_dir, clock=…)`."""
        self.open_store = open_store
        self.db, self.calls = self._open()

    def _open(self) -> tuple[Store, StoreCalls]:
        db = self.open_store()
        calls = StoreCalls(db)
        # Worker threads end with the store (tests and the TUI may make many in one process).
        weakref.finalize(self, calls.shutdown)
        return db, calls

    def _live(self) -> tuple[Store, StoreCalls]:
        if self.db.closed:  # closed by close(): open again (a host may rerun the lifespan)
            self.calls.shutdown()
            self.db, self.calls = self._open()
        return self.db, self.calls

    # Each method below names the SQLite store's method and its arguments; these run it off
    # the event loop (reads on the reader threads, writes on the writer) or, `_read_here`, on it.

    async def _read(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        db, calls = self._live()
        return await calls.read(fn, db, *args, **kwargs)

    async def _read_here(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """A short read on the calling (event loop) thread: a hop to a worker thread and back
        costs more than an indexed read or a page of keys. It never waits for a lock; in the
        rare moment SQLite refuses it (StoreBusy), it runs on a worker thread, which may wait."""
        db, calls = self._live()
        try:
            with db.at_once():
                return fn(db, *args, **kwargs)
        except StoreBusy:
            return await calls.read(fn, db, *args, **kwargs)

    async def _write(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        db, calls = self._live()
        return await calls.write(fn, db, *args, **kwargs)

    @property
    def write_timeout(self) -> float:
        return self.db.write_timeout

    def clock(self) -> float:
        return self.db.clock()

    def now(self) -> str:
        return self.db.now()  # no I/O: answers after close too

    async def ping(self) -> None:
        try:  # a store that cannot answer: StoreUnavailable (from ping, or here when it hangs)
            await asyncio.wait_for(self.calls.read(self.db.ping), timeout=self.write_timeout)
        except TimeoutError:
            raise StoreUnavailable("the store did not answer in time") from None

    async def close(self) -> None:
        if self.db.closed:
            return
        db, calls = self.db, self.calls
        await calls.write(db.close)  # flushes the uses, or keeps them for the next start
        calls.shutdown()

    def failure_limiter(self, kind: str, limit: int, window: float) -> FailedAuthLimiter:
        def record(client: str, account_id: str | None, key_id: str | None) -> Awaitable[None]:
            return self.record_throttled(client, kind, account_id, key_id)

        # One process owns the file: the counts are in memory.
        return FailedAuthLimiter(limit, window, self.clock, record=record)

    async def create_account(self, name: str, email: str, *, local: bool = False) -> str:
        return await self._write(Store.create_account, name, email, local=local)

    async def local_account(self) -> str | None:
        return await self._read_here(Store.local_account)

    async def account(self, account_id: str) -> dict[str, str] | None:
        return await self._read_here(Store.account, account_id)

    async def issue_session_token(
        self, account_id: str, *, revoke_others: bool = False, client: str | None = None
    ) -> str:
        return await self._write(
            Store.issue_session_token, account_id, revoke_others=revoke_others, client=client
        )

    async def end_session(self, token_hash: str, client: str | None = None) -> None:
        await self._write(Store.end_session, token_hash, client)

    async def accounts(self) -> list[AccountSummary]:
        return await self._read(Store.accounts)

    async def sessions(self, account_id: str) -> list[SessionSummary]:
        return await self._read(Store.sessions, account_id)

    async def end_session_by_id(self, account_id: str, session_id: str, reason: str) -> bool:
        return await self._write(Store.end_session_by_id, account_id, session_id, reason)

    async def account_for_token_hash(self, token_hash: str) -> str | None:
        return await self._read_here(Store.account_for_token_hash, token_hash)

    async def key_by_hash(self, key_hash: str) -> KeyAuth | None:
        # The hot path (verify, API-key auth): one indexed read of the file, on the event loop's
        # own thread, since it takes microseconds and a hop to a worker thread and back costs
        # more than the query. No cache: every call reads the file, so a key revoked by another
        # process fails from its next request. Its connection never waits for a lock; in the
        # rare moment SQLite refuses it, the read goes to a worker thread, which may wait.
        db, calls = self._live()
        try:
            return db.key_by_hash(key_hash, at_once=True)
        except StoreBusy:
            return await calls.read(db.key_by_hash, key_hash)

    async def create_key(
        self, account_id: str, new: NewKey, actor: Actor | None = None
    ) -> tuple[KeyObject, str]:
        return await self._write(Store.create_key, account_id, new, actor)

    async def key_scopes(self, account_id: str, key_id: str) -> list[str] | None:
        return await self._read_here(Store.key_scopes, account_id, key_id)

    async def get_key(self, account_id: str, key_id: str) -> KeyObject | None:
        return await self._read_here(Store.get_key, account_id, key_id)

    async def list_keys(
        self, account_id: str, status: str, limit: int, before_seq: int | None
    ) -> tuple[list[KeyObject], int | None]:
        # A screenful on the loop (first frame sooner); a big page on a reader thread, so the
        # loop keeps drawing and answering meanwhile. benchmarks.table's same-run row, 10,000
        # keys in the TUI, four runs: longest stall 56-83 ms -> 43-53 ms; all keys in 1.5-1.7x.
        read = self._read_here if limit <= HERE_PAGE else self._read
        return await read(Store.list_keys, account_id, status, limit, before_seq)

    async def rename_key(
        self, account_id: str, key_id: str, name: str, actor: Actor | None = None
    ) -> KeyObject | None:
        return await self._write(Store.rename_key, account_id, key_id, name, actor)

    async def revoke_key(
        self, account_id: str, key_id: str, *, delete: bool = False, actor: Actor | None = None
    ) -> KeyObject | None:
        return await self._write(Store.revoke_key, account_id, key_id, delete=delete, actor=actor)

    async def roll_key(
        self, account_id: str, key_id: str, roll: Roll, actor: Actor | None = None
    ) -> tuple[KeyObject, str] | None:
        return await self._write(Store.roll_key, account_id, key_id, roll, actor)

    def record_use(self, key_id: str) -> None:
        self._live()[0].record_use(key_id)

    def flush_soon(self) -> None:
        if not self.db.closed:
            self.calls.flush_soon()

    async def flush_uses(self) -> None:
        await self._write(Store.flush_uses)

    async def usage(self, account_id: str, key_id: str, days: int) -> list[UsageObject] | None:
        return await self._read(Store.usage, account_id, key_id, days)

    async def record_throttled(
        self, client: str, kind: str, account_id: str | None = None, key_id: str | None = None
    ) -> None:
        await self._write(Store.record_throttled, client, kind, account_id, key_id)

    async def list_events(
        self, account_id: str, query: EventQuery
    ) -> tuple[list[EventObject], int | None]:
        return await self._read(Store.list_events, account_id, query)

    async def prune_events(self, before: str) -> int:
        return await self._write(Store.prune_events, before)
