"""Benchmark of the Ticos service: verify and list throughput, one instance and two, against bare ASGI.

Starts `python -m ticos_tui serve` (`ticos-tui serve`, access log on as by
default) on loopback with 10,000 keys, then a second instance over the same store, and bare "hello
world" ASGI apps under uvicorn (one process, and two) as the floors, in the same run; prints
requests/s and p50/p99 latency of each with its ratio to the bare stack of as many processes, the
verify rate with the access log off (what the log costs), whether `last_used_at` is still accurate
to 2 s after the verify storm, and the embedded-mode time to page all 10,000 keys 1000 at a time.
Every store is measured the same way: SQLite (the data folder's file, shared by both instances),
and PostgreSQL with --database-url. Every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.floor import hammer, start_hello
from tests import seeding
from tests.served import (
    HOST,
    ROOT,
    Connection,
    Timings,
    build_request,
    free_port,
    start_service,
)

KEYS = 10_000


def seed(data_dir: Path, count: int = KEYS) -> str:
    """The local account with `count` keys; returns its session token."""
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.service.store.sqlite import Store

    token = local_session_token(data_dir)
    store = Store(data_dir)
    account = store.local_account()
    assert account is not None
    store.close()
    seeding.seed_sqlite(data_dir, account, [f"seeded key {i}" for i in range(count)])
    return token


async def embedded_paging(data_dir: Path, token: str) -> tuple[float, int]:
    import httpx

    from ticos_tui.service import create_app

    app = create_app(data_dir)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://e", headers=headers
    ) as client:
        best = float("inf")
        count = 0
        for _ in range(3):
            started = time.perf_counter()
            cursor, count = None, 0
            for _page in range(100):
                params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/v1/api-keys", params=params)).json()
                count += len(page["data"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            best = min(best, time.perf_counter() - started)
    await app.state.store.close()
    return best, count


# The store of each row: the embedded default's SQLite file in the data folder, and PostgreSQL
# when --database-url names a database (its own account and token, seeded the same way).
SQLITE = "SQLite"


async def seed_postgres(data_dir: Path, database_url: str, count: int = KEYS) -> str:
    """A benchmark account with `count` keys in the PostgreSQL database; returns its token."""
    from ticos_tui.service.store.factory import open_store

    store = open_store(data_dir, database_url)
    try:
        account = await store.create_account("Benchmark", "bench@example.com")
        token = await store.issue_session_token(account)
        await seeding.seed_postgres(
            database_url, account, [f"seeded key {i}" for i in range(count)]
        )
    finally:
        await store.close()
    return token


async def store_setups(
    data_dir: Path, database_url: str | None
) -> list[tuple[str, list[str], str]]:
    """(label, `serve` options selecting the store, a session token there) for each store."""
    setups: list[tuple[str, list[str], str]] = [(SQLITE, [], seed(data_dir))]
    if database_url:
        token = await seed_postgres(data_dir, database_url)
        setups.append(("PostgreSQL", ["--database-url", database_url], token))
    return setups


def merged(parts: list[Timings]) -> Timings:
    """Several instances' timings as one: all requests over the longest elapsed time."""
    total = Timings(elapsed=max(t.elapsed for t in parts))
    for t in parts:
        total.latencies += t.latencies
        for status, n in t.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + n
    return total


async def hammer_all(targets: list[tuple[int, bytes]], connections: int, seconds: float) -> Timings:
    """The same load split over `targets` (instances) at once, warmed up first; one Timings."""
    share = max(1, connections // len(targets))
    await asyncio.gather(
        *(hammer(port, raw, connections=share, seconds=min(1.0, seconds), max_requests=5_000)
          for port, raw in targets)
    )  # fmt: skip
    parts = await asyncio.gather(
        *(hammer(port, raw, connections=share, seconds=seconds, max_requests=500_000)
          for port, raw in targets)
    )  # fmt: skip
    return merged(list(parts))


def row(label: str, t: Timings, bare: Timings | None) -> str:
    ratio = f"{t.rps / bare.rps:6.0%}" if bare and bare.rps else "     -"
    bad = sum(n for s, n in t.statuses.items() if s >= 500)
    return (
        f"{label:<52} {len(t.latencies):>8} {t.rps:>9.0f} {t.percentile(50) * 1000:>8.2f} "
        f"{t.percentile(99) * 1000:>8.2f} {ratio:>7} {bad:>4}"
    )


async def create_verify_key(port: int, token: str) -> dict[str, Any]:
    conn = await Connection.open(port)
    status, body = await conn.request(
        build_request("POST", "/v1/api-keys", token, {"name": "bench verify"})
    )
    conn.close()
    assert status == 201, body
    return dict(json.loads(body))


async def last_used_lag(port: int, token: str, key_id: str) -> float:
    """Seconds between now and the key's `last_used_at` as the service reports it."""
    verified_at = datetime.now(UTC)
    conn = await Connection.open(port)
    _, body = await conn.request(build_request("GET", f"/v1/api-keys/{key_id}", token))
    conn.close()
    last_used = datetime.fromisoformat(json.loads(body)["last_used_at"].replace("Z", "+00:00"))
    return (verified_at - last_used).total_seconds()


def start_pg_floor(database_url: str) -> tuple[subprocess.Popen[bytes], int]:
    """`benchmarks.pg_floor`: one SELECT by primary key per request through the store's pool."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.pg_floor", str(port), database_url],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the PostgreSQL floor app did not start")


async def pg_floor(database_url: str, seconds: float, connections: int) -> Timings:
    proc, port = start_pg_floor(database_url)
    try:
        return await hammer_all([(port, build_request("GET", "/", None))], connections, seconds)
    finally:
        proc.terminate()
        proc.wait(10)


async def measure_store(
    label: str, options: list[str], data_dir: Path, token: str, seconds: float, connections: int,
    floors: dict[int, Timings],
) -> tuple[list[tuple[str, Timings, Timings | None]], float]:  # fmt: skip
    """Verify and list on one instance, then on two over the same store; and the log's cost."""
    rows: list[tuple[str, Timings, Timings | None]] = []
    first = start_service(data_dir, options=options)
    second = None
    try:
        created = await create_verify_key(first.port, token)
        verify = build_request("POST", "/v1/api-keys/verify", None, {"key": created["key"]})
        list100 = build_request("GET", "/v1/api-keys?limit=100", token)
        list1000 = build_request("GET", "/v1/api-keys?limit=1000", token)
        t = await hammer_all([(first.port, verify)], connections, seconds)
        rows.append((f"verify · {label} · 1 instance", t, floors[1]))
        lag = await last_used_lag(first.port, token, created["id"])
        t = await hammer_all([(first.port, list100)], 4, seconds)
        rows.append((f"list limit=100 · {label} · 1 instance", t, floors[1]))
        t = await hammer_all([(first.port, list1000)], 2, seconds)
        rows.append((f"list limit=1000 · {label} · 1 instance", t, floors[1]))
        second = start_service(data_dir, options=options)
        both = [first.port, second.port]
        t = await hammer_all([(port, verify) for port in both], connections, seconds)
        rows.append((f"verify · {label} · 2 instances", t, floors[2]))
        t = await hammer_all([(port, list100) for port in both], 4, seconds)
        rows.append((f"list limit=100 · {label} · 2 instances", t, floors[2]))
    finally:
        first.stop()
        if second is not None:
            second.stop()
    # What the default access line costs: the same verify with the log at warning.
    quiet = start_service(data_dir, options=[*options, "--log-level", "warning"])
    try:
        t = await hammer_all([(quiet.port, verify)], connections, seconds)
        rows.append((f"verify · {label} · 1 instance, no access log", t, floors[1]))
    finally:
        quiet.stop()
    return rows, lag


async def bare_floors(seconds: float, connections: int) -> dict[int, Timings]:
    """The bare ASGI hello world under uvicorn: one process, and two at once."""
    hellos = [start_hello(), start_hello()]
    try:
        raw = build_request("GET", "/", None)
        one = await hammer_all([(hellos[0][1], raw)], connections, seconds)
        two = await hammer_all([(port, raw) for _, port in hellos], connections, seconds)
    finally:
        for proc, _ in hellos:
            proc.terminate()
            proc.wait(10)
    return {1: one, 2: two}


async def measure(seconds: float, connections: int, database_url: str | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="ticos-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        setups = await store_setups(data_dir, database_url)
        token = setups[0][2]  # the embedded paging row reads the SQLite store
        floors = await bare_floors(seconds, connections)
        rows: list[tuple[str, Timings, Timings | None]] = [
            ("bare ASGI hello world · 1 process", floors[1], None),
            ("bare ASGI hello world · 2 processes", floors[2], None),
        ]
        lags: dict[str, float] = {}
        select_floor: Timings | None = None
        for label, options, store_token in setups:
            if database_url and label != SQLITE:
                select_floor = await pg_floor(database_url, seconds, connections)
                rows.append((f"one SELECT by primary key · {label} floor", select_floor, floors[1]))
            store_rows, lags[label] = await measure_store(
                label, options, data_dir, store_token, seconds, connections, floors
            )
            rows += store_rows
        paging, paged = await embedded_paging(data_dir, token)

    print(
        f"Ticos service benchmark: loopback, uvicorn, {KEYS:,} keys, {seconds:.0f} s per case, "
        f"{os.cpu_count()} CPUs shared by the client and every instance"
    )
    print(
        f"{'case':<52} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>7} {'5xx':>4}"
    )
    for label, timings, bare in rows:
        print(row(label, timings, bare))
    pg_verify = next(
        (t for label, t, _ in rows if label == "verify · PostgreSQL · 1 instance"), None
    )
    if select_floor is not None and pg_verify is not None and select_floor.rps:
        print(
            f"verify · PostgreSQL · 1 instance vs the one-SELECT floor: {pg_verify.rps / select_floor.rps:.0%}"
        )
    for label, lag in lags.items():
        print(f"last_used_at after the verify run ({label}): {lag:.1f} s behind (target <= 2 s)")
    print(
        f"embedded mode, page all {paged:,} keys with limit=1000: {paging * 1000:.0f} ms (target <= 500 ms)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each measured case (max 30)"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="keep-alive connections for verify and hello"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TICOS_BENCH_DATABASE_URL"),
        help="also measure this PostgreSQL database (default: TICOS_BENCH_DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    seconds, connections = min(args.seconds, 30.0), max(2, min(args.connections, 256))
    return asyncio.run(measure(seconds, connections, args.database_url))


if __name__ == "__main__":
    raise SystemExit(main())
