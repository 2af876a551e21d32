"""Benchmark of the local Ticos service: verify and list throughput against a bare ASGI app.

Starts `python -m ticos_tui.service` (the code behind `ticos-tui serve`) on loopback with 10,000
keys, and a bare "hello world" ASGI app under uvicorn with the same settings, in the same run; then
prints requests/s and p50/p99 latency of each, with its ratio to the bare stack, whether
`last_used_at` is still accurate to 2 s after the verify storm, and the embedded-mode time to page
all 10,000 keys 1000 at a time. Every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._server import (
    Connection,
    Timings,
    build_request,
    hammer,
    start_hello,
    start_service,
)

KEYS = 10_000


def seed(data_dir: Path, count: int = KEYS) -> str:
    """The local account with `count` keys; returns its session token."""
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.service.sqlite_store import Store

    token = local_session_token(data_dir)
    store = Store(data_dir)
    account = store.local_account()
    assert account is not None
    store.create_keys_bulk(account, [f"seeded key {i}" for i in range(count)])
    store.close()
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
    app.state.store.close()
    return best, count


def row(label: str, t: Timings, bare: Timings | None) -> str:
    ratio = f"{t.rps / bare.rps:6.0%}" if bare and bare.rps else "     -"
    bad = sum(n for s, n in t.statuses.items() if s >= 500)
    return (
        f"{label:<34} {len(t.latencies):>8} {t.rps:>9.0f} {t.percentile(50) * 1000:>8.2f} "
        f"{t.percentile(99) * 1000:>8.2f} {ratio:>7} {bad:>4}"
    )


async def measure(seconds: float, connections: int) -> int:
    with tempfile.TemporaryDirectory(prefix="ticos-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        token = seed(data_dir)
        served = start_service(data_dir)
        hello_proc, hello_port = start_hello()
        try:
            conn = await Connection.open(served.port)
            status, body = await conn.request(
                build_request("POST", "/v1/api-keys", token, {"name": "bench verify"})
            )
            assert status == 201, body
            created = json.loads(body)
            conn.close()
            cases = {
                "bare ASGI hello world": (hello_port, build_request("GET", "/", None), connections),
                "POST /v1/api-keys/verify": (
                    served.port,
                    build_request("POST", "/v1/api-keys/verify", None, {"key": created["key"]}),
                    connections,
                ),
                "GET /v1/api-keys?limit=100": (
                    served.port,
                    build_request("GET", "/v1/api-keys?limit=100", token),
                    4,
                ),
                "GET /v1/api-keys?limit=1000": (
                    served.port,
                    build_request("GET", "/v1/api-keys?limit=1000", token),
                    2,
                ),
            }
            results: dict[str, Timings] = {}
            for label, (port, raw, conns) in cases.items():
                await hammer(
                    port, raw, connections=conns, seconds=min(1.0, seconds), max_requests=5_000
                )  # warm up
                results[label] = await hammer(
                    port, raw, connections=conns, seconds=seconds, max_requests=500_000
                )
                if label.startswith("POST /v1/api-keys/verify"):
                    verified_at = datetime.now(UTC)
                    conn = await Connection.open(served.port)
                    _, body = await conn.request(
                        build_request("GET", f"/v1/api-keys/{created['id']}", token)
                    )
                    conn.close()
                    last_used = datetime.fromisoformat(
                        json.loads(body)["last_used_at"].replace("Z", "+00:00")
                    )
                    lag = (verified_at - last_used).total_seconds()
        finally:
            served.stop()
            hello_proc.terminate()
            hello_proc.wait(10)
        paging, paged = await embedded_paging(data_dir, token)

    bare = results["bare ASGI hello world"]
    print(f"Ticos service benchmark: loopback, uvicorn, {KEYS:,} keys, {seconds:.0f} s per case")
    print(
        f"{'case':<34} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>7} {'5xx':>4}"
    )
    for label, timings in results.items():
        print(row(label, timings, None if label.startswith("bare") else bare))
    print(f"last_used_at after the verify run: {lag:.1f} s behind the last verify (target <= 2 s)")
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
    args = parser.parse_args(argv)
    return asyncio.run(measure(min(args.seconds, 30.0), max(1, min(args.connections, 256))))


if __name__ == "__main__":
    raise SystemExit(main())
