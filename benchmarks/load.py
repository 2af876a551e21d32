"""Load test of the served service: 50 clients mixing verify 80%, list 15%, create+revoke 5%.

Loopback only, bounded in time (at most 60 s, 20 s by default). Prints requests served, p50/p99 per
operation and the 5xx count, then checks that no acknowledged write was lost: every key created
with a 201 is listed, and is revoked exactly when its revoke got a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._server import Connection, Timings, build_request, start_service


@dataclass
class LoadResult:
    timings: dict[str, Timings] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # key id -> key
    revoked: set[str] = field(default_factory=set)
    lost: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def served(self) -> int:
        return sum(len(t.latencies) for t in self.timings.values())

    @property
    def server_errors(self) -> int:
        return sum(n for t in self.timings.values() for s, n in t.statuses.items() if s >= 500)


async def run_load(
    data_dir: Path, *, clients: int = 50, seconds: float = 20.0, seed: int = 7
) -> LoadResult:
    seconds = min(seconds, 60.0)
    served = start_service(data_dir)
    token = served.token()
    result = LoadResult(timings={op: Timings() for op in ("verify", "list", "create", "revoke")})
    try:
        setup = await Connection.open(served.port)
        verify_keys = []
        for i in range(20):
            _, body = await setup.request(
                build_request("POST", "/v1/api-keys", token, {"name": f"load {i}"})
            )
            verify_keys.append(json.loads(body)["key"])
        setup.close()
        deadline = time.perf_counter() + seconds

        async def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            conn = await Connection.open(served.port)
            try:
                for _ in range(1_000_000):
                    if time.perf_counter() >= deadline:
                        break
                    roll = rng.random()
                    if roll < 0.80:
                        op, raw = (
                            "verify",
                            build_request(
                                "POST",
                                "/v1/api-keys/verify",
                                None,
                                {"key": rng.choice(verify_keys)},
                            ),
                        )
                    elif roll < 0.95:
                        op, raw = "list", build_request("GET", "/v1/api-keys?limit=100", token)
                    else:
                        started = time.perf_counter()
                        status, body = await conn.request(
                            build_request("POST", "/v1/api-keys", token, {"name": f"churn {n}"})
                        )
                        result.timings["create"].add(time.perf_counter() - started, status)
                        if status != 201:
                            continue
                        created = json.loads(body)
                        result.created[created["id"]] = created["key"]
                        op, raw = (
                            "revoke",
                            build_request("POST", f"/v1/api-keys/{created['id']}/revoke", token),
                        )
                    started = time.perf_counter()
                    status, body = await conn.request(raw)
                    result.timings[op].add(time.perf_counter() - started, status)
                    if op == "revoke" and status == 200:
                        result.revoked.add(json.loads(body)["id"])
            finally:
                conn.close()

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        result.elapsed = time.perf_counter() - started
        for t in result.timings.values():
            t.elapsed = result.elapsed

        # No lost writes: every acknowledged create is there, revoked exactly when acknowledged.
        check = await Connection.open(served.port)
        statuses: dict[str, str] = {}
        cursor = None
        for _ in range(1000):
            path = "/v1/api-keys?limit=1000" + (f"&cursor={cursor}" if cursor else "")
            _, body = await check.request(build_request("GET", path, token))
            page = json.loads(body)
            statuses.update({k["id"]: k["status"] for k in page["data"]})
            cursor = page["next_cursor"]
            if cursor is None:
                break
        check.close()
        for key_id in result.created:
            expected = "revoked" if key_id in result.revoked else "active"
            if statuses.get(key_id) != expected:
                result.lost.append(key_id)
    finally:
        served.stop()
    return result


def report(result: LoadResult, clients: int) -> None:
    print(
        f"Load test: {clients} clients on loopback for {result.elapsed:.1f} s, verify 80% / list 15% / create+revoke 5%"
    )
    print(f"{'operation':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}")
    for op, t in result.timings.items():
        bad = sum(n for s, n in t.statuses.items() if s >= 500)
        print(
            f"{op:<10} {len(t.latencies):>9} {t.rps:>8.0f} {t.percentile(50) * 1000:>8.2f} {t.percentile(99) * 1000:>8.2f} {bad:>5}"
        )
    print(
        f"requests served: {result.served}  ({result.served / result.elapsed:.0f}/s); 5xx: {result.server_errors}"
    )
    print(
        f"writes acknowledged: {len(result.created)} creates, {len(result.revoked)} revokes; lost: {len(result.lost)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="at most 60")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ticos-load-") as tmp:
        result = asyncio.run(
            run_load(Path(tmp) / "data", clients=args.clients, seconds=args.seconds)
        )
    report(result, args.clients)
    return 1 if result.server_errors or result.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
