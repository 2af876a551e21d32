"""A bulk loader for the scale benchmark: a million key rows in a store, in seconds.

Benchmark-only (the shipped store has no bulk path). The filler rows are shaped like the
service's own: a `key_` id, a SHA-256 hex hash (of random bytes: what a hash of a random key
looks like; no key of them is ever used), a snippet and the creation time. SQLite takes them in
one transaction; PostgreSQL through COPY, then VACUUM ANALYZE (not left to autovacuum).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from ticos_tui.service.store.sqlite_db import DB_NAME
from ticos_tui.service.store.times import format_ts

BATCH = 50_000


def _rows(account_id: str, count: int, start: int) -> Iterator[tuple[str, str, str, str, str, str]]:
    now = format_ts(time.time())
    for i in range(start, start + count):
        random = os.urandom(32)
        key_id = f"key_bulk{i:016d}"  # 20 characters after the prefix, as new_id makes
        yield (
            key_id,
            account_id,
            f"bulk {i}",
            random.hex(),
            f"tk_{random.hex()[:4]}…{i % 10000:04d}",
            now,
        )


def load_sqlite(data_dir: Path, account_id: str, count: int) -> None:
    conn = sqlite3.connect(Path(data_dir) / DB_NAME, timeout=30)
    try:
        with conn:
            for start in range(0, count, BATCH):
                conn.executemany(
                    "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, created_at,"
                    " scopes) VALUES (?, ?, ?, ?, ?, ?, '[\"*\"]')",
                    _rows(account_id, min(BATCH, count - start), start),
                )
    finally:
        conn.close()


def load_postgres(database_url: str, account_id: str, count: int) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY api_keys (id, account_id, name, key_hash, snippet, created_at, scopes)"
                " FROM STDIN"
            ) as copy,
        ):
            for row in _rows(account_id, count, 0):
                copy.write_row((*row, ["*"]))
        # Done now rather than by autovacuum in the middle of the measurement.
        conn.execute("VACUUM ANALYZE api_keys")
