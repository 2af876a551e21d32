"""SQLite connections for the store: one write connection behind a lock, one reader per thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ticos_tui.service.store.errors import StoreBusy, StoreUnavailable
from ticos_tui.service.store.schema_sqlite import migrate
from ticos_tui.settings.paths import create_private_file, ensure_private_dir

DB_NAME = "ticos.db"


@contextmanager
def _translated() -> Iterator[None]:
    # The one place SQLite's operational errors become the store's own: a locked or unreachable
    # database is a condition callers answer (503), not a crash.
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise StoreBusy(
                "the store is locked by another process and did not free it in time"
            ) from None
        raise StoreUnavailable(f"the store could not answer: {text}") from None
    except sqlite3.ProgrammingError as exc:  # used after close()
        raise StoreUnavailable(f"the store is closed: {exc}") from None


class SqliteConnections:
    """The database file's connections (opened and migrated now), and transactions on them.

    They block (SQLite waits for another process's lock): callers run on worker threads. WAL
    mode lets the readers go on while a writer waits. A write gives up with StoreUnavailable
    when it cannot get the store within `write_timeout` (or the thread's `deadline`).
    """

    def __init__(self, data_dir: Path, write_timeout: float) -> None:
        ensure_private_dir(data_dir)
        self.path = data_dir / DB_NAME
        # Created 0600 before SQLite opens it, so it is never readable by others; SQLite gives
        # its -wal and -shm files the database's mode.
        create_private_file(self.path)
        self.write_timeout = write_timeout
        self._write_lock = threading.Lock()
        self._conn = self._connect()
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode is durable against a process kill (only power loss can lose the
        # last commits), which is the failure the crash tests exercise.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with _translated():
            migrate(self._conn)
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._local = threading.local()  # .conn: this thread's read connection; .deadline
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                create_private_file(side)
        self._commit_lock = threading.Lock()  # a flush's COMMIT vs a read that adds counts
        self.closed = False

    def _connect(self, timeout: float | None = None) -> sqlite3.Connection:
        wait = self.write_timeout if timeout is None else timeout
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=wait
        )
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """This thread's read connection (WAL: it reads while another connection writes).

        Inside `at_once()`, the thread's connection that never waits for a lock.
        """
        with _translated():
            local = self._local
            if getattr(local, "at_once", False):
                conn: sqlite3.Connection | None = getattr(local, "quick", None)
                if conn is None:
                    conn = local.quick = self._reader(0.0)
            else:
                conn = getattr(local, "conn", None)
                if conn is None:
                    conn = local.conn = self._reader()
            yield conn

    @contextmanager
    def at_once(self) -> Iterator[None]:
        """Reads in this block never wait for a lock: StoreBusy instead (see read_at_once)."""
        self._local.at_once = True
        try:
            yield
        finally:
            self._local.at_once = False

    def _reader(self, timeout: float | None = None) -> sqlite3.Connection:
        if self.closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        conn = self._connect(timeout)
        with self._readers_lock:
            self._readers.append(conn)
        return conn

    def read_at_once(self, query: str, params: tuple[Any, ...]) -> Any:
        """The first row of a read on this thread's connection that never waits for a lock.

        Busy timeout 0: StoreBusy instead, so the event loop's own thread can read without ever
        blocking on another process (in WAL mode a reader is refused only in rare moments, such
        as recovery after a crash; the caller then reads on a worker thread, which may wait).
        No context managers: this is the hot path of every verify.
        """
        try:
            conn: sqlite3.Connection | None = getattr(self._local, "quick", None)
            if conn is None:
                conn = self._local.quick = self._reader(0.0)
            return conn.execute(query, params).fetchone()
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):
            with _translated():
                raise

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Writes in this thread must get the store within `seconds` from now (from a queue)."""
        self._local.deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.deadline = None

    @contextmanager
    def _write(self, on_commit: Callable[[], None] | None = None) -> Iterator[sqlite3.Connection]:
        """One transaction on the write connection, or StoreUnavailable past the deadline.

        `on_commit` runs under the commit lock together with COMMIT (see flush_uses).
        """
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            deadline = time.monotonic() + self.write_timeout
        if not self._write_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise StoreUnavailable("the store is busy with other writes; retry shortly")
        try:
            conn = self._conn
            with _translated():
                left = max(0, int((deadline - time.monotonic()) * 1000))
                conn.execute(f"PRAGMA busy_timeout = {left}")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    if on_commit is None:
                        conn.execute("COMMIT")
                    else:
                        with self._commit_lock:
                            conn.execute("COMMIT")
                            on_commit()
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            self._write_lock.release()

    def close_connections(self) -> None:
        self.closed = True
        with self._write_lock:
            self._conn.close()
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
