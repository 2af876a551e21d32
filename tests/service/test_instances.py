"""Several instances over one PostgreSQL database (contract: "Several instances").

Real `serve` processes on loopback, each with `--database-url`; what one acknowledges the
other honours from its next request on.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.served import Served, start_service
from tests.waiting import described

pytestmark = pytest.mark.timeout(240)


def accounts_create(database_url: str, data_dir: Path) -> str:
    """`ticos-tui accounts create --database-url`: the new account's session token (stdout).

    Each call is a new account (one account per email)."""
    email = f"team.{uuid.uuid4().hex[:8]}@example.com"
    proc = subprocess.run(
        [sys.executable, "-m", "ticos_tui", "accounts", "create", "Team", email,
         "--database-url", database_url, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    return proc.stdout.strip()


@pytest.fixture
def serve_on(tmp_path: Path) -> Iterator[Callable[[str], Served]]:
    """`serve --database-url URL` processes, each with a data folder of its own; stopped after."""
    served: list[Served] = []

    def start(database_url: str) -> Served:
        served.append(
            start_service(
                tmp_path / f"instance{len(served)}", options=["--database-url", database_url]
            )
        )
        return served[-1]

    yield start
    for instance in served:
        instance.kill()


def client(served: Served, credential: str | None = None, timeout: float = 30) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    return httpx.AsyncClient(base_url=served.base_url, headers=headers, timeout=timeout)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    """Wait for `check()` to hold (polling); fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"waited {timeout} s for: {described(check)}")
        await asyncio.sleep(0.1)


async def test_two_instances_honour_each_others_writes(
    postgres_url: str, serve_on: Callable[[str], Served], tmp_path: Path
) -> None:
    token = accounts_create(postgres_url, tmp_path / "cli")
    a, b = serve_on(postgres_url), serve_on(postgres_url)
    async with client(a, token) as on_a, client(b, token) as on_b:
        # Created on A, verifies on B.
        created = (await on_a.post("/v1/api-keys", json={"name": "shared"})).json()
        verdict = await on_b.post("/v1/api-keys/verify", json={"key": created["key"]})
        assert verdict.json()["valid"] is True
        # Revoked on B: the very next request with it on A is refused.
        async with client(a, created["key"]) as key_on_a:
            assert (await key_on_a.get("/v1/api-keys")).status_code == 200
            assert (await on_b.post(f"/v1/api-keys/{created['id']}/revoke")).status_code == 200
            refused = await key_on_a.get("/v1/api-keys")
            assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
        again = await on_a.post("/v1/api-keys/verify", json={"key": created["key"]})
        assert again.json() == {"valid": False, "reason": "revoked"}
        # A session ended on A is unknown on B.
        other = accounts_create(postgres_url, tmp_path / "cli")
        async with client(a, other) as other_a, client(b, other) as other_b:
            assert (await other_b.get("/v1/account")).status_code == 200
            assert (await other_a.delete("/v1/session")).status_code == 204
            assert (await other_b.get("/v1/account")).status_code == 401


async def test_usage_adds_up_across_instances(
    postgres_url: str, serve_on: Callable[[str], Served], tmp_path: Path
) -> None:
    token = accounts_create(postgres_url, tmp_path / "cli")
    a, b = serve_on(postgres_url), serve_on(postgres_url)
    async with client(a, token) as on_a, client(b, token) as on_b:
        created = (await on_a.post("/v1/api-keys", json={"name": "used"})).json()
        async with client(a, created["key"]) as key_a, client(b, created["key"]) as key_b:
            for _ in range(7):
                assert (await key_a.get("/v1/account")).status_code == 200
            for _ in range(5):
                assert (
                    await key_b.post("/v1/api-keys/verify", json={"key": created["key"]})
                ).json()["valid"]
        usage_path = f"/v1/api-keys/{created['id']}/usage?days=1"

        async def both_see_twelve() -> bool:
            counts = [(await c.get(usage_path)).json()["days"][0]["requests"] for c in (on_a, on_b)]
            return counts == [12, 12]  # each instance's flush (about a second) added up

        await until(both_see_twelve)
        for instance in (on_a, on_b):
            got = (await instance.get(f"/v1/api-keys/{created['id']}")).json()
            assert got["last_used_at"] is not None


async def test_the_rate_limit_holds_across_instances(
    postgres_url: str, serve_on: Callable[[str], Served], tmp_path: Path
) -> None:
    token = accounts_create(postgres_url, tmp_path / "cli")
    a, b = serve_on(postgres_url), serve_on(postgres_url)
    limit = 30  # create_app's default: failed authentications per client and minute
    bad = "tk_" + "A" * 38  # malformed: fails without a lookup, counts as a failure
    async with client(a, bad) as bad_a, client(b, bad) as bad_b, client(b, token) as good_b:
        statuses = []
        for i in range(limit):  # half the failures on each instance
            statuses.append((await (bad_a if i % 2 else bad_b).get("/v1/account")).status_code)
        assert statuses == [401] * limit
        throttled = [await bad_a.get("/v1/account"), await bad_b.get("/v1/account")]
        assert [r.status_code for r in throttled] == [429, 429]
        assert all(int(r.headers["retry-after"]) >= 1 for r in throttled)
        # Failures never throttle a valid credential from the same client.
        assert (await good_b.get("/v1/account")).status_code == 200


async def test_revokes_and_creates_survive_sigkill_of_one_instance(
    postgres_url: str, serve_on: Callable[[str], Served], tmp_path: Path
) -> None:
    """Writers on both instances; one is SIGKILLed mid-run; the other honours everything."""
    token = accounts_create(postgres_url, tmp_path / "cli")
    a, b = serve_on(postgres_url), serve_on(postgres_url)
    created: dict[str, str] = {}
    revoked: set[str] = set()
    unanswered: set[str] = set()  # revokes in flight when their instance died: either outcome
    stop = asyncio.Event()

    async def writer(served: Served, n: int) -> None:
        async with client(served, token, timeout=10) as http:
            mine: list[str] = []
            while not stop.is_set():
                revoking = None
                try:
                    if n % 3 == 0 and mine:
                        revoking = mine.pop()
                        r = await http.post(f"/v1/api-keys/{revoking}/revoke")
                        if r.status_code == 200:
                            revoked.add(revoking)
                    else:
                        r = await http.post("/v1/api-keys", json={"name": f"w{n}"})
                        if r.status_code == 201:
                            created[r.json()["id"]] = r.json()["key"]
                            mine.append(r.json()["id"])
                except httpx.HTTPError:
                    # Its instance was killed under the request: never acknowledged. A revoke
                    # may have committed before the kill, or not: both are honest.
                    if revoking is not None:
                        unanswered.add(revoking)
                    return
                # 503 (the pool was busy past its bound, Retry-After) is an honest "not done".
                assert r.status_code < 500 or r.status_code == 503, r.text
                n += 1

    async def killer() -> None:
        await until(lambda: _at_least(created, 40))
        a.kill()
        await until(lambda: _at_least(created, 80))
        stop.set()

    await asyncio.gather(killer(), *(writer(s, i) for i, s in enumerate([a, b] * 3)))
    assert created and revoked
    async with client(b) as anonymous, client(b, token) as on_b:
        for key_id, key in created.items():
            status = (await on_b.get(f"/v1/api-keys/{key_id}")).json()["status"]
            if key_id in unanswered:
                assert status in ("revoked", "active"), key_id
                continue
            assert status == ("revoked" if key_id in revoked else "active"), key_id
            if key_id not in revoked:
                verdict = (await anonymous.post("/v1/api-keys/verify", json={"key": key})).json()
                assert verdict["valid"] is True, key_id
        # A revoked key fails verify too (a sample: each failure counts toward the throttle).
        for key_id in sorted(revoked)[:10]:
            verdict = await anonymous.post("/v1/api-keys/verify", json={"key": created[key_id]})
            assert verdict.json() == {"valid": False, "reason": "revoked"}, key_id


async def _at_least(created: dict[str, str], count: int) -> bool:
    return len(created) >= count


def test_two_instances_starting_at_once_migrate_exactly_once(postgres_url: str) -> None:
    """Four stores open (and migrate) one empty database at the same moment."""
    import threading

    from ticos_tui.service.store.postgres import PgStore
    from ticos_tui.service.store.schema_pg import SCHEMA_VERSION

    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            PgStore.open(postgres_url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(postgres_url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
