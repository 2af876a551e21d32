"""Crash safety: SIGKILL the served service mid-write, restart, and find everything acknowledged."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.served import start_service


async def _clients_until_killed(
    base_url: str, token: str, kill_at: int, served, acked: dict
) -> None:
    """Eight clients write until the service is SIGKILLed, at the `kill_at`th acknowledged write
    of this round (an event, not a time: the same point in the run on a fast or a busy machine),
    while the others' writes are in flight."""
    headers = {"Authorization": f"Bearer {token}"}
    stop = asyncio.Event()
    due = asyncio.Event()
    writes = [0]

    def acknowledged() -> None:
        writes[0] += 1
        if writes[0] >= kill_at:
            due.set()

    async def client(n: int) -> None:
        rng = random.Random(n)
        mine: list[str] = []
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=5) as http:
            while not stop.is_set():
                r: httpx.Response | None = None
                try:
                    roll = rng.random()
                    if roll < 0.6 or not mine:
                        r = await http.post("/v1/api-keys", json={"name": f"c{n}"})
                        if r.status_code == 201:
                            body = r.json()
                            acked["created"][body["id"]] = body["key"]
                            mine.append(body["id"])
                            acknowledged()
                    elif roll < 0.8:
                        key_id = rng.choice(mine)
                        r = await http.patch(f"/v1/api-keys/{key_id}", json={"name": f"r{n}"})
                    else:
                        key_id = mine.pop(rng.randrange(len(mine)))
                        r = await http.post(f"/v1/api-keys/{key_id}/revoke")
                        if r.status_code == 200:
                            acked["revoked"].add(key_id)
                            acknowledged()
                except httpx.HTTPError:
                    return  # the server was killed under this request: it was never acknowledged
                assert r is not None and r.status_code < 500, r.text if r is not None else ""

    async def killer() -> None:
        await due.wait()
        served.kill()
        stop.set()

    async def clients() -> None:
        try:
            await asyncio.gather(*(client(n) for n in range(8)))
        finally:
            due.set()  # every client stopped (the service died of itself?): no more to wait for

    await asyncio.gather(killer(), clients())


async def _check(base_url: str, token: str, acked: dict) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http:
        for key_id, key in acked["created"].items():
            got = await http.get(f"/v1/api-keys/{key_id}")
            assert got.status_code == 200, f"acknowledged key {key_id} lost"
            status = got.json()["status"]
            if key_id in acked["revoked"]:
                assert status == "revoked", f"acknowledged revoke of {key_id} lost"
            elif status == "active":
                verdict = (await http.post("/v1/api-keys/verify", json={"key": key})).json()
                assert verdict["valid"] is True and verdict["key_id"] == key_id


async def _run(data_dir: Path, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    acked: dict = {"created": {}, "revoked": set()}
    served = start_service(data_dir)
    token = served.token()
    try:
        for _ in range(kills):
            await _clients_until_killed(served.base_url, token, rng.randint(10, 150), served, acked)
            served = start_service(data_dir, port=None)
            conn = sqlite3.connect(data_dir / "ticos.db")
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
            await _check(served.base_url, token, acked)
    finally:
        served.stop()
    assert acked["created"], "no write was acknowledged before the kills"
    return len(acked["created"])


async def test_sigkill_loses_nothing_acknowledged(data_dir: Path) -> None:
    await _run(data_dir, kills=3, seed=1)  # --slow kills 15 times


@pytest.mark.slow
async def test_sigkill_loses_nothing_acknowledged_long(data_dir: Path) -> None:
    await _run(data_dir, kills=15, seed=2)


async def test_sigterm_shuts_down_cleanly_and_writes_pending_uses(data_dir: Path) -> None:
    served = start_service(data_dir)
    try:
        headers = {"Authorization": f"Bearer {served.token()}"}
        async with httpx.AsyncClient(base_url=served.base_url, headers=headers) as http:
            created = (await http.post("/v1/api-keys", json={"name": "used once"})).json()
            verdict = await http.post("/v1/api-keys/verify", json={"key": created["key"]})
            assert verdict.json()["valid"] is True
    finally:
        code = served.stop()
    assert code == 0
    conn = sqlite3.connect(data_dir / "ticos.db")
    row = conn.execute(
        "SELECT last_used_at FROM api_keys WHERE id = ?", (created["id"],)
    ).fetchone()
    conn.close()
    assert row[0] is not None  # the coalesced use was written at shutdown, not lost
