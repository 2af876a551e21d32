"""The load run shared by the suite's short run and `python -m benchmarks load`: clients mixing
verify 80%, list 15%, create+revoke 5% against a served instance; no acknowledged write lost."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.served import Connection, Served, Timings, build_request, start_service


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
    data_dir: Path,
    *,
    clients: int = 50,
    seconds: float = 20.0,
    seed: int = 7,
    options: Sequence[str] = (),
    token: str | None = None,
    instances: int = 1,
) -> LoadResult:
    """The load against `instances` served processes over one store (`options` select it, e.g.
    `--database-url`; `token`: a session token there, else the data folder's local one), the
    clients spread over them in turn."""
    seconds = min(seconds, 60.0)
    every = [start_service(data_dir, options=options)]
    try:
        every += [start_service(data_dir, options=options) for _ in range(instances - 1)]
        return await _load(every, token or every[0].token(), clients, seconds, seed)
    finally:
        for instance in every:
            instance.stop()


async def _load(
    every: list[Served], token: str, clients: int, seconds: float, seed: int
) -> LoadResult:
    served = every[0]
    result = LoadResult(timings={op: Timings() for op in ("verify", "list", "create", "revoke")})
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
        conn = await Connection.open(every[n % len(every)].port)
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
    return result
