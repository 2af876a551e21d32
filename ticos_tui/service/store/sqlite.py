"""The embedded SQLite store (blocking): accounts, session tokens, keys and coalesced usage.

Connections and transactions are in sqlite_db.py.

`SqliteStore` in `sqlite_async.py` puts it behind the async `Store` protocol, off the event loop.
"""

from __future__ import annotations

import atexit
import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ticos_tui.service.audit import Actor, Change, revoke_change, roll_change
from ticos_tui.service.store.constants import FLUSH_INTERVAL, WRITE_TIMEOUT
from ticos_tui.service.store.errors import KeyConflict, StoreUnavailable
from ticos_tui.service.store.filters import key_list_filter
from ticos_tui.service.store.ids import new_id
from ticos_tui.service.store.rolls import NewKey, Roll, key_insert, new_key_row, rolled_key
from ticos_tui.service.store.rows import (
    KeyAuth,
    KeyObject,
    UsageObject,
    key_json,
    page_of,
    page_sql,
)
from ticos_tui.service.store.sqlite_audit import SqliteAudit
from ticos_tui.service.store.times import TextClock, format_ts, usage_days
from ticos_tui.service.store.usage import UsageBuffer, flush_rows

_KEY_COLUMNS = (
    "id, name, snippet, scopes, created_at, last_used_at, expires_at, revoked_at,"
    " replaces, rolled_to"
)
_BY_HASH = "SELECT id, account_id, scopes, expires_at, revoked_at, deleted FROM api_keys WHERE key_hash = ?"


class Store(SqliteAudit):
    """Accounts, session tokens, keys and coalesced usage in the data folder's SQLite file.

    Its methods block; the app calls them from worker threads (StoreCalls), or on the event
    loop only inside `at_once()`, where a read never waits for a lock (sqlite_async.py).
    """

    def __init__(
        self,
        data_dir: Path,
        clock: Callable[[], float] = time.time,
        *,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        super().__init__(data_dir, write_timeout)
        self.clock = clock
        # Parsed scopes by their JSON text: a pure function of the text, not of a key, so it
        # can never keep a revoked key usable (every request looks the key up).
        self._scopes_cache: dict[str, list[str]] = {}
        # Coalesced uses, with those a shutdown could not write taken back (see usage.py).
        self.uses = UsageBuffer(FLUSH_INTERVAL, spill_dir=data_dir, clock=clock)
        self._flush_lock = threading.Lock()  # one flush at a time
        self._clock = TextClock(clock)
        # Embedded mode has no lifespan: pending uses are written when the process exits. A weak
        # reference, so a store nobody uses any more can still be collected.
        ref = weakref.ref(self)

        def close_at_exit() -> None:
            store = ref()
            if store is not None:
                store.close()

        self._atexit = close_at_exit
        atexit.register(close_at_exit)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush_uses()
        except StoreUnavailable:
            self.uses.spill()  # the lock holder won: kept in the data folder for the next start
        self.close_connections()
        atexit.unregister(self._atexit)

    def ping(self) -> None:
        """Ask the store a question; StoreUnavailable when it cannot answer."""
        with self._read() as conn:
            conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchall()

    def now(self) -> str:
        return self._clock.now()

    def scopes_of(self, text: str) -> list[str]:
        scopes = self._scopes_cache.get(text)
        if scopes is None:
            scopes = self._scopes_cache[text] = json.loads(text)
        return scopes

    # -- accounts and session tokens ------------------------------------------------------

    def create_account(self, name: str, email: str, *, local: bool = False) -> str:
        account_id = new_id("acc_")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO accounts (id, name, email, created_at, is_local) VALUES (?,?,?,?,?)",
                (account_id, name, email, self.now(), int(local)),
            )
        return account_id

    def local_account(self) -> str | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT id FROM accounts WHERE is_local = 1 ORDER BY rowid LIMIT 1"
            ).fetchone()
        return row[0] if row else None

    def account(self, account_id: str) -> dict[str, str] | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT id, name, email, created_at FROM accounts WHERE id = ?", (account_id,)
            ).fetchone()
        if row is None:
            return None
        return {"id": row[0], "name": row[1], "email": row[2], "created_at": row[3]}

    def account_for_token_hash(self, token_hash: str) -> str | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT account_id FROM session_tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return row[0] if row else None

    # -- keys ------------------------------------------------------------------------------

    def key_by_hash(self, key_hash: str, *, at_once: bool = False) -> KeyAuth | None:
        """The key whose hash this is; `at_once`: never wait for a lock (StoreBusy instead)."""
        if at_once:
            row = self.read_at_once(_BY_HASH, (key_hash,))
        else:
            with self._read() as conn:
                row = conn.execute(_BY_HASH, (key_hash,)).fetchone()
        if row is None:
            return None
        return KeyAuth(row[0], row[1], self.scopes_of(row[2]), row[3], row[4], bool(row[5]))

    @staticmethod
    def _insert_key(
        conn: sqlite3.Connection,
        account_id: str,
        new: NewKey,
        now: str,
        replaces: str | None = None,
    ) -> tuple[str, str]:
        key, row = new_key_row(account_id, new, now, replaces, json.dumps(new.scopes))
        conn.execute(key_insert("?"), row)
        return str(row[0]), key

    def create_key(
        self, account_id: str, new: NewKey, actor: Actor | None = None
    ) -> tuple[KeyObject, str]:
        """Insert a new key; returns its ApiKey object and the full key (never stored)."""
        now = self.now()
        with self._write() as conn:
            key_id, key = self._insert_key(conn, account_id, new, now)
            detail = {"scopes": new.scopes, "expires_at": new.expires_at}
            self.event(conn, account_id, Change("key.created", key_id, new.name, detail), actor)
            row = self._key_row(conn, account_id, key_id)
        assert row is not None
        return self.key_json(row, now), key

    def key_scopes(self, account_id: str, key_id: str) -> list[str] | None:
        """The scopes of one of the account's keys (None: no such key), for the escalation check."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT scopes FROM api_keys WHERE id = ? AND account_id = ? AND deleted = 0",
                (key_id, account_id),
            ).fetchone()
        return None if row is None else self.scopes_of(row[0])

    @staticmethod
    def _key_row(conn: sqlite3.Connection, account_id: str, key_id: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = conn.execute(
            f"SELECT {_KEY_COLUMNS} FROM api_keys"  # noqa: S608 - a constant column list
            " WHERE id = ? AND account_id = ? AND deleted = 0",
            (key_id, account_id),
        ).fetchone()
        return row

    def key_json(
        self, row: Sequence[Any], now: str, used: dict[str, str] | None = None
    ) -> KeyObject:
        """The ApiKey object of a row; `used`: last uses not written yet (see UsageBuffer)."""
        return key_json(row, self.scopes_of(row[3]), now, used)

    def get_key(self, account_id: str, key_id: str) -> KeyObject | None:
        used = self.unwritten_uses()
        with self._read() as conn:
            row = self._key_row(conn, account_id, key_id)
        return None if row is None else self.key_json(row, self.now(), used)

    def list_keys(
        self, account_id: str, status: str, limit: int, before_seq: int | None
    ) -> tuple[list[KeyObject], int | None]:
        """A page of keys newest first, strictly older than `before_seq`; and the next position."""
        used = self.unwritten_uses()
        now = self.now()
        where, params = key_list_filter(
            account_id, status, before_seq, now, mark="?", live="deleted = 0"
        )
        params.append(limit + 1)
        with self._read() as conn:
            found = conn.execute(page_sql(_KEY_COLUMNS, "api_keys", where, "?"), params).fetchall()
        key_json = self.key_json
        return page_of(found, limit, lambda row: key_json(row, now, used))

    def rename_key(
        self, account_id: str, key_id: str, name: str, actor: Actor | None = None
    ) -> KeyObject | None:
        used = self.unwritten_uses()
        with self._write() as conn:
            row = self._key_row(conn, account_id, key_id)
            if row is None:
                return None
            conn.execute("UPDATE api_keys SET name = ? WHERE id = ?", (name, key_id))
            detail = {"old_name": row[1], "new_name": name}
            self.event(conn, account_id, Change("key.renamed", key_id, name, detail), actor)
            row = self._key_row(conn, account_id, key_id)
        return None if row is None else self.key_json(row, self.now(), used)

    def revoke_key(
        self, account_id: str, key_id: str, *, delete: bool = False, actor: Actor | None = None
    ) -> KeyObject | None:
        """Revoke (idempotent: the first revocation time stays); `delete` also hides it."""
        used = self.unwritten_uses()
        now = self.now()
        with self._write() as conn:
            row = self._key_row(conn, account_id, key_id)
            if row is None:
                return None
            conn.execute(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?), deleted = ? WHERE id = ?",
                (now, int(delete), key_id),
            )
            change = revoke_change(key_id, row[1], row[7], delete)
            if change is not None:  # revoking a revoked key changes nothing: no event
                self.event(conn, account_id, change, actor)
            if not delete:  # as it is now; a deleted key as it was
                row = self._key_row(conn, account_id, key_id) or row
        return self.key_json(row, now, used)

    def roll_key(
        self, account_id: str, key_id: str, roll: Roll, actor: Actor | None = None
    ) -> tuple[KeyObject, str] | None:
        """A new key with the old one's name and scopes; the old one expires after the grace.

        The new key expires as `roll` says (`rolls.Roll`). None: no such key. Raises `KeyConflict` for a revoked, expired or already-rolled key. One transaction
        that claims the old key first, so of concurrent rolls exactly one succeeds.
        """
        self.flush_uses()
        ts = self.clock()
        now = format_ts(ts)
        with self._write() as conn:
            old = conn.execute(
                "SELECT name, scopes, created_at, expires_at, revoked_at, rolled_to FROM api_keys"
                " WHERE id = ? AND account_id = ? AND deleted = 0",
                (key_id, account_id),
            ).fetchone()
            new = rolled_key(old, roll, ts, self.scopes_of)
            if new is None:
                return None
            new_id_, key = self._insert_key(conn, account_id, new, now, key_id)
            claimed = conn.execute(
                "UPDATE api_keys SET rolled_to = ? WHERE id = ? AND rolled_to IS NULL"
                " AND revoked_at IS NULL",
                (new_id_, key_id),
            )
            if claimed.rowcount != 1:  # a store that let another roll in (rolled back here)
                raise KeyConflict("already rolled")
            grace_seconds = roll.grace_seconds
            if grace_seconds == 0:
                conn.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (now, key_id))
            else:
                # Never extend a key: an earlier expiry it already had stays.
                conn.execute(
                    "UPDATE api_keys SET expires_at = CASE WHEN expires_at IS NOT NULL"
                    " AND expires_at < ? THEN expires_at ELSE ? END WHERE id = ?",
                    (format_ts(ts + grace_seconds), format_ts(ts + grace_seconds), key_id),
                )
            change = roll_change(key_id, new.name, new_id_, grace_seconds)
            self.event(conn, account_id, change, actor)
            row = self._key_row(conn, account_id, new_id_)
        assert row is not None
        return self.key_json(row, now), key

    # -- usage -----------------------------------------------------------------------------

    def record_use(self, key_id: str) -> None:
        """Count one authenticated use of a key in memory (no I/O: safe on the event loop)."""
        self.uses.record(key_id, self.now())

    def flush_due(self) -> bool:
        return self.uses.due()

    def unwritten_uses(self) -> dict[str, str]:
        """Last uses counted but not written yet (pending or in a flush), by key id."""
        return self.uses.last_used()

    def flush_uses(self) -> None:
        """Write the counted uses; if that fails, they stay pending for the next flush."""
        with self._flush_lock:
            taken = None if self.closed else self.uses.take()
            if taken is None:
                return
            last_used, usage = taken
            times, counts = flush_rows(last_used, usage)
            try:
                with self._write(on_commit=self.uses.landed) as conn:
                    conn.executemany(
                        "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                        [(t, k) for k, t in times],
                    )
                    conn.executemany(
                        "INSERT INTO key_usage (key_id, day, requests) VALUES (?,?,?)"
                        " ON CONFLICT (key_id, day) DO UPDATE"
                        " SET requests = requests + excluded.requests",
                        counts,
                    )
            except BaseException:
                self.uses.restore(last_used, usage)
                raise

    def usage(self, account_id: str, key_id: str, days: int) -> list[UsageObject] | None:
        """One entry per UTC day, oldest first, zeros included; None for an unknown key."""
        wanted = usage_days(self.clock(), days)
        # Under the commit lock, a flush's counts are either in the database or still in memory
        # for the whole read, never both or neither.
        with self._commit_lock, self._read() as conn:
            if self._key_row(conn, account_id, key_id) is None:
                return None
            counts = dict(
                conn.execute(
                    "SELECT day, requests FROM key_usage WHERE key_id = ? AND day >= ?",
                    (key_id, wanted[0]),
                ).fetchall()
            )
            self.uses.add_counts(key_id, counts)
        return [{"date": day, "requests": counts.get(day, 0)} for day in wanted]
