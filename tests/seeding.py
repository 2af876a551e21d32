"""Many keys at once, for tests and benchmarks: rows written into a store's database directly.

The service creates keys one at a time, each in its own transaction; seeding 10,000 that way
would take longer than what is being measured. These write `*` keys in one transaction, with
the service's own ids, hashes and snippets, and throw the full keys away. Benchmarks import
this module (benchmarks use the tests' harness, never the other way round).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from ticos_tui.core.keyformat import generate_key, secret_hash, snippet
from ticos_tui.service.store.ids import new_id
from ticos_tui.service.store.sqlite_db import DB_NAME
from ticos_tui.service.store.times import format_ts


def _rows(account_id: str, names: list[str]) -> list[tuple[str, str, str, str, str, str]]:
    now = format_ts(time.time())
    rows = []
    for name in names:
        key = generate_key()
        rows.append((new_id("key_"), account_id, name, secret_hash(key), snippet(key), now))
    return rows


def seed_sqlite(data_dir: Path, account_id: str, names: list[str]) -> None:
    """Add a `*` key named each of `names` to the account, in the data folder's SQLite store."""
    conn = sqlite3.connect(Path(data_dir) / DB_NAME, timeout=30)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, created_at, scopes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row, json.dumps(["*"])) for row in _rows(account_id, names)],
            )
    finally:
        conn.close()


async def seed_postgres(database_url: str, account_id: str, names: list[str]) -> None:
    """Add a `*` key named each of `names` to the account, in the PostgreSQL store."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, created_at,"
                " scopes) VALUES (%s, %s, %s, %s, %s, %s, ARRAY['*'])",
                _rows(account_id, names),
            )


async def seed_store(store: object, account_id: str, names: list[str]) -> None:
    """`seed_sqlite` or `seed_postgres`, for the database behind an open store of the service."""
    import asyncio

    from ticos_tui.service.store.sqlite_async import SqliteStore

    if isinstance(store, SqliteStore):
        await asyncio.to_thread(seed_sqlite, store.db.path.parent, account_id, names)
        return
    from ticos_tui.service.store.postgres import PgStore

    assert isinstance(store, PgStore), type(store)
    await seed_postgres(store.url, account_id, names)
