"""Writes per second on both stores, each with its audit event in the same transaction, against
the same write without the event measured in the same run.

Through the async `Store` protocol the handlers call (no HTTP): create (`key.created`), revoke
(`key.revoked`) and roll (`key.rolled`). The floors are the store's own key insert, and the same
`UPDATE` a revoke makes, each in one transaction with no event; roll is an insert and an update,
so its floor is the two together. Rounds take every operation in turn, so a busy moment of the
shared machine falls on all alike; medians are reported. SQLite always; PostgreSQL with
--database-url. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ticos_tui.core.keyformat import secret_hash
from ticos_tui.service.audit import Actor
from ticos_tui.service.store.factory import open_store
from ticos_tui.service.store.postgres import PgStore
from ticos_tui.service.store.rolls import NewKey, Roll
from ticos_tui.service.store.sqlite_async import SqliteStore

_REVOKE = "UPDATE api_keys SET revoked_at = {m} WHERE id = {m} AND account_id = {m}"


def floors(store: Any, account: str) -> tuple[Callable[[], Awaitable[str]], Callable[[str], Awaitable[None]]]:  # fmt: skip
    """(insert a key, revoke a key) with no event, each in one transaction, on `store`."""
    if isinstance(store, SqliteStore):

        def insert_sqlite(db: Any) -> str:
            with db._write() as conn:
                return str(db._insert_key(conn, account, NewKey("bench", ["*"]), db.now())[0])

        def revoke_sqlite(db: Any, key_id: str) -> None:
            with db._write() as conn:
                conn.execute(_REVOKE.format(m="?"), (db.now(), key_id, account))

        async def insert() -> str:
            return await store._write(insert_sqlite)

        async def revoke(key_id: str) -> None:
            await store._write(lambda db: revoke_sqlite(db, key_id))

        return insert, revoke
    assert isinstance(store, PgStore)

    async def insert_pg() -> str:
        async with store.transaction() as conn:
            row, _ = await PgStore._insert_key(conn, account, NewKey("bench", ["*"]), store.now())
            return str(row[0])

    async def revoke_pg(key_id: str) -> None:
        async with store.transaction() as conn:
            await conn.execute(_REVOKE.format(m="%s"), (store.now(), key_id, account))

    return insert_pg, revoke_pg


async def measure(store: Any, ops: int, rounds: int) -> dict[str, float]:
    """Median seconds per operation of each write, and of its floors."""
    account = await store.create_account("Bench", "bench@example.com")
    token = await store.issue_session_token(account)
    actor = Actor(token_hash=secret_hash(token), client="127.0.0.1")
    insert, bare_revoke = floors(store, account)

    async def create() -> str:
        created, _ = await store.create_key(account, NewKey("bench", ["*"]), actor)
        return str(created["id"])

    async def revoke(key_id: str) -> None:
        await store.revoke_key(account, key_id, actor=actor)

    async def roll(key_id: str) -> None:
        assert await store.roll_key(account, key_id, Roll(0), actor) is not None

    async def timed_inserts(fn: Callable[[], Awaitable[str]]) -> float:
        started = time.perf_counter()
        for _ in range(ops):
            await fn()
        return (time.perf_counter() - started) / ops

    async def timed_on_keys(fn: Callable[[str], Awaitable[None]]) -> float:
        keys = [await insert() for _ in range(ops)]  # fresh keys, made before the clock starts
        started = time.perf_counter()
        for key_id in keys:
            await fn(key_id)
        return (time.perf_counter() - started) / ops

    cases: dict[str, Callable[[], Awaitable[float]]] = {
        "insert (floor)": lambda: timed_inserts(insert),
        "create + key.created": lambda: timed_inserts(create),
        "revoke UPDATE (floor)": lambda: timed_on_keys(bare_revoke),
        "revoke + key.revoked": lambda: timed_on_keys(revoke),
        "roll + key.rolled": lambda: timed_on_keys(roll),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(rounds + 1):
        for name, case in cases.items():
            took = await case()
            if round_:  # the first round warms up
                samples[name].append(took)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(label: str, t: dict[str, float]) -> None:
    floor_of = {
        "create + key.created": t["insert (floor)"],
        "revoke + key.revoked": t["revoke UPDATE (floor)"],
        "roll + key.rolled": t["insert (floor)"] + t["revoke UPDATE (floor)"],
    }
    print(f"{label}:")
    print(f"  {'operation':<24} {'per op':>9} {'ops/s':>7} {'vs no event':>12}")
    for name, seconds in t.items():
        ratio = f"{seconds / floor_of[name]:.2f}x" if name in floor_of else "-"
        print(f"  {name:<24} {seconds * 1e6:>7.0f}us {1 / seconds:>7.0f} {ratio:>12}")


async def run(database_url: str | None, ops: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ticos-writes-") as tmp:
        setups = [("SQLite", None)] + ([("PostgreSQL", database_url)] if database_url else [])
        for label, url in setups:
            store = open_store(Path(tmp) / label, url)
            try:
                report(
                    f"{label} ({ops} ops x {rounds} rounds, medians)",
                    await measure(store, ops, rounds),
                )
            finally:
                await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ops", type=int, default=100, help="operations per round (max 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (max 20)")
    parser.add_argument("--database-url", default=os.environ.get("TICOS_BENCH_DATABASE_URL"))
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.2f} (2 CPUs shared with other work)")
    asyncio.run(run(args.database_url, min(args.ops, 1000), min(args.rounds, 20)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
