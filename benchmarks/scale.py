"""Scale of data: verify and list with 10,000 and 1,000,000 keys in the store, both stores.

For each size and store: a fresh store filled by the bulk loader (benchmarks/bulk.py, not the
shipped store), one real key created through the API, then `serve` (access log on) measured
on verify of that key and on list limit=100 of the account holding all the keys, with the bare
ASGI hello world measured in the same run as the floor. verify's cost must not grow with the
number of keys (one indexed lookup by hash): the last line gives verify at 1,000,000 over
verify at 10,000. SQLite always; PostgreSQL with --database-url (a schema per size, dropped
after). Every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks import bulk
from benchmarks.floor import start_hello
from benchmarks.service import create_verify_key, hammer_all, row
from tests.served import Timings, build_request, start_service

SIZES = (10_000, 1_000_000)


async def one_store(
    label: str, data_dir: Path, url: str | None, count: int, seconds: float, floor: Timings
) -> tuple[list[str], float]:
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.service.store.factory import open_store

    if url is None:
        token = local_session_token(data_dir)
        store = open_store(data_dir, None)
        account = await store.local_account()
        await store.close()
        assert account is not None
        started = time.perf_counter()
        await asyncio.to_thread(bulk.load_sqlite, data_dir, account, count)
        options: list[str] = []
    else:
        store = open_store(data_dir, url)
        account = await store.create_account("Scale", "scale@example.com")
        token = await store.issue_session_token(account)
        await store.close()
        started = time.perf_counter()
        await asyncio.to_thread(bulk.load_postgres, url, account, count)
        options = ["--database-url", url]
    loaded = time.perf_counter() - started
    served = start_service(data_dir, options=options)
    try:
        created = await create_verify_key(served.port, token)
        verify = build_request("POST", "/v1/api-keys/verify", None, {"key": created["key"]})
        list100 = build_request("GET", "/v1/api-keys?limit=100", token)
        v = await hammer_all([(served.port, verify)], 16, seconds)
        lst = await hammer_all([(served.port, list100)], 4, seconds)
    finally:
        served.stop()
    return [
        f"({label}, {count:,} keys loaded in {loaded:.0f} s)",
        row(f"verify · {label} · {count:,} keys", v, floor),
        row(f"list limit=100 · {label} · {count:,} keys", lst, floor),
    ], v.rps


async def measure(seconds: float, database_url: str | None, sizes: tuple[int, ...] = SIZES) -> None:
    import psycopg

    hello, port = start_hello()
    try:
        floor = await hammer_all([(port, build_request("GET", "/", None))], 16, seconds)
    finally:
        hello.terminate()
        hello.wait(10)
    print(f"load average {os.getloadavg()[0]:.2f}; 2 CPUs shared by the client and the server")
    print(row("bare ASGI hello world · 1 process", floor, None))
    verify_rps: dict[tuple[str, int], float] = {}
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="ticos-scale-") as tmp:
            lines, verify_rps[("SQLite", count)] = await one_store(
                "SQLite", Path(tmp) / "data", None, count, seconds, floor
            )
            print("\n".join(lines))
            if database_url:
                schema = f"scale_{uuid.uuid4().hex[:12]}"
                with psycopg.connect(database_url, autocommit=True) as conn:
                    conn.execute(f"CREATE SCHEMA {schema}")
                try:
                    url = f"{database_url}?options=-csearch_path%3D{schema}"
                    lines, verify_rps[("PostgreSQL", count)] = await one_store(
                        "PostgreSQL", Path(tmp) / "pg", url, count, seconds, floor
                    )
                    print("\n".join(lines))
                finally:
                    with psycopg.connect(database_url, autocommit=True) as conn:
                        conn.execute(f"DROP SCHEMA {schema} CASCADE")
    for label in ("SQLite", "PostgreSQL"):
        if (label, SIZES[0]) in verify_rps:
            small, large = verify_rps[(label, SIZES[0])], verify_rps[(label, SIZES[-1])]
            print(
                f"verify · {label}: {SIZES[-1]:,} keys at {large / small:.0%} of the rate at {SIZES[0]:,}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0, help="per case (max 30)")
    parser.add_argument("--database-url", default=os.environ.get("TICOS_BENCH_DATABASE_URL"))
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SIZES),
        help="keys in the store (max 1,000,000)",
    )
    args = parser.parse_args(argv)
    sizes = tuple(min(n, 1_000_000) for n in args.sizes)
    asyncio.run(measure(min(args.seconds, 30.0), args.database_url, sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
