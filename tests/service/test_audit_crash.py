"""No change without its event, no event without its change: the store dies mid-write storm.

SQLite: SIGKILL of a served instance. PostgreSQL: `pg_ctl stop -m immediate` under a running
`serve` (then started again). Afterwards every key's state and the log agree exactly, and every
acknowledged change has exactly one event.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.served import start_service

pytestmark = pytest.mark.timeout(240)


def new_log() -> dict:
    return {"created": set(), "renamed": set(), "tried_names": set(), "revoked": set(),
            "rolled": set()}  # fmt: skip


async def storm(base_url: str, token: str, stop: asyncio.Event, acked: dict, seed: int) -> None:
    """Eight clients create, rename (each to a name never used before), revoke and roll keys."""
    headers = {"Authorization": f"Bearer {token}"}
    counter = itertools.count()

    async def client(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        mine: list[str] = []
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http:
            while not stop.is_set():
                try:
                    roll = rng.random()
                    if roll < 0.4 or not mine:
                        r = await http.post("/v1/api-keys", json={"name": f"c{n}"})
                        if r.status_code == 201:
                            acked["created"].add(r.json()["id"])
                            mine.append(r.json()["id"])
                    elif roll < 0.7:
                        name = f"r{seed}-{n}-{next(counter)}"
                        acked["tried_names"].add(name)
                        r = await http.patch(
                            f"/v1/api-keys/{rng.choice(mine)}", json={"name": name}
                        )
                        if r.status_code == 200:
                            acked["renamed"].add(name)
                    elif roll < 0.85:
                        key_id = mine.pop(rng.randrange(len(mine)))
                        r = await http.post(f"/v1/api-keys/{key_id}/revoke")
                        if r.status_code == 200:
                            acked["revoked"].add(key_id)
                    else:
                        key_id = mine.pop(rng.randrange(len(mine)))
                        r = await http.post(
                            f"/v1/api-keys/{key_id}/roll", json={"grace_seconds": 600}
                        )
                        if r.status_code == 201:
                            acked["rolled"].add(key_id)
                            acked["created"].add(r.json()["id"])  # made by the roll
                            mine.append(r.json()["id"])
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)  # the store or the server is down: not acknowledged

    await asyncio.gather(*(client(n) for n in range(8)))


async def everything(http: httpx.AsyncClient, path: str) -> list[dict]:
    found: list[dict] = []
    params: dict[str, object] = {"limit": 1000}
    while True:
        page = (await http.get(path, params=params)).json()
        found += page["data"]
        if not page["next_cursor"]:
            return found
        params["cursor"] = page["next_cursor"]


async def check(base_url: str, token: str, acked: dict) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        keys = {k["id"]: k for k in await everything(http, "/v1/api-keys")}
        log = await everything(http, "/v1/audit-events")
    assert len({e["id"] for e in log}) == len(log)
    count = Counter((e["action"], e["key_id"]) for e in log)
    # Every key that exists was created once (by hand, or by a roll); every key event names one.
    for key_id, key in keys.items():
        made = count[("key.created", key_id)] + (key["replaces"] is not None)
        assert made == 1, f"{key_id}: {made} creation events"
        was_revoked = key["status"] == "revoked"
        assert count[("key.revoked", key_id)] == was_revoked, f"{key_id}: revoke vs events"
        assert count[("key.rolled", key_id)] == (key["replaced_by"] is not None), key_id
    assert {k for _, k in count if k is not None} <= set(keys), "an event without its key"
    for event in log:
        if event["action"] == "key.rolled":
            new = keys[event["detail"]["new_key_id"]]
            assert new["replaces"] == event["key_id"]
    # Renames: each acknowledged one has exactly one event; each event was a rename tried; the
    # key's name is its last rename's.
    renames = [e for e in log if e["action"] == "key.renamed"]
    names = Counter(e["detail"]["new_name"] for e in renames)
    lost = [name for name in acked["renamed"] if names[name] != 1]
    assert not lost, f"acknowledged renames lost: {lost} of {len(acked['renamed'])}; {names}"
    assert set(names) <= acked["tried_names"] and max(names.values(), default=1) == 1
    last: dict[str, str] = {}
    for event in reversed(renames):  # oldest first
        last[event["key_id"]] = event["detail"]["new_name"]
    for key_id, name in last.items():
        assert keys[key_id]["name"] == name
    # And every acknowledged change is there.
    assert acked["created"] <= set(keys)
    assert all(count[("key.revoked", k)] == 1 for k in acked["revoked"])
    assert all(count[("key.rolled", k)] == 1 for k in acked["rolled"])
    return len(log)


async def test_sigkill_of_a_served_sqlite_store_keeps_changes_and_events_together(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    acked = new_log()
    served = start_service(data_dir)
    token = served.token()
    try:
        for round_ in range(2):
            stop = asyncio.Event()

            async def kill_soon(served=served, round_=round_, stop=stop) -> None:
                await asyncio.sleep(0.6 + 0.4 * round_)
                served.kill()  # SIGKILL, mid-write
                stop.set()

            await asyncio.gather(kill_soon(), storm(served.base_url, token, stop, acked, round_))
            served = start_service(data_dir)
            await check(served.base_url, token, acked)
    finally:
        served.stop()
    assert acked["created"] and acked["renamed"], "nothing was acknowledged before the kills"


async def test_postgres_stopped_immediately_keeps_changes_and_events_together(
    postgres_factory: Callable[[], object], tmp_path: Path
) -> None:
    cluster = postgres_factory()
    # This cluster is throwaway (synchronous_commit off); the service's own connections ask for
    # durable commits, as a production server has them, so an acknowledged commit survives.
    url = cluster.url + "?options=-csynchronous_commit%3Don"  # type: ignore[attr-defined]
    proc = subprocess.run(
        [sys.executable, "-m", "ticos_tui", "accounts", "create", "Ops", "ops@example.com",
         "--database-url", url, "--data-dir", str(tmp_path / "cli")],
        capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    token = proc.stdout.strip()
    served = start_service(tmp_path / "instance", options=["--database-url", url])
    acked = new_log()
    try:
        stop = asyncio.Event()

        async def crash_postgres() -> None:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(cluster._pg_ctl, "-m", "immediate", "stop")  # type: ignore[attr-defined]
            await asyncio.sleep(0.5)  # the clients meet the dead store for a moment
            stop.set()

        await asyncio.gather(crash_postgres(), storm(served.base_url, token, stop, acked, 7))
        await asyncio.to_thread(cluster.start)  # type: ignore[attr-defined]
        async with httpx.AsyncClient(base_url=served.base_url, timeout=20) as anonymous:
            for _ in range(300):
                if (await anonymous.get("/v1/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
        events = await check(served.base_url, token, acked)
    finally:
        served.stop()
    assert acked["created"] and events > len(acked["created"])
