"""PostgreSQL goes away and comes back under a running `serve`: 503s, then recovery by itself."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import PostgresCluster
from tests.served import start_service
from ticos_tui.service import create_app

pytestmark = pytest.mark.timeout(240)


async def until_ok(http: httpx.AsyncClient, path: str, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await http.get(path)).status_code != 200:
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{path} did not answer 200 within {timeout} s")
        await asyncio.sleep(0.2)


async def test_the_store_goes_away_and_comes_back(
    postgres_factory: Callable[[], object], tmp_path: Path
) -> None:
    cluster = postgres_factory()
    url = cluster.url  # type: ignore[attr-defined]
    proc = subprocess.run(
        [sys.executable, "-m", "ticos_tui", "accounts", "create", "Ops", "ops@example.com",
         "--database-url", url, "--data-dir", str(tmp_path / "cli")],
        capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )  # fmt: skip
    token = proc.stdout.strip()
    served = start_service(tmp_path / "instance", options=["--database-url", url])
    # A client timeout well above the store's 5 s: each answer during the outage must come in
    # time as a 503, not hang until the client gives up.
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            httpx.AsyncClient(base_url=served.base_url, headers=headers, timeout=20) as http,
            httpx.AsyncClient(base_url=served.base_url, timeout=20) as anonymous,
        ):
            acked = {}
            for i in range(3):
                created = (await http.post("/v1/api-keys", json={"name": f"before {i}"})).json()
                acked[created["id"]] = created["key"]
            used = next(iter(acked))
            async with httpx.AsyncClient(
                base_url=served.base_url,
                headers={"Authorization": f"Bearer {acked[used]}"},
                timeout=20,
            ) as as_key:
                for _ in range(5):  # uses counted in memory, maybe not flushed yet
                    assert (await as_key.get("/v1/account")).status_code == 200

            cluster.stop()  # type: ignore[attr-defined]
            # Asked together: each waits out the store's own timeout, and they must not queue.
            for response in await asyncio.gather(
                http.post("/v1/api-keys", json={"name": "during"}),
                http.post(f"/v1/api-keys/{used}/revoke"),
                anonymous.post("/v1/api-keys/verify", json={"key": acked[used]}),
                anonymous.get("/v1/readyz"),
            ):
                assert response.status_code == 503, response.text
                assert int(response.headers["retry-after"]) >= 1
                assert (
                    "store" in response.json()["detail"] or "database" in response.json()["detail"]
                )
            assert (await anonymous.get("/v1/healthz")).status_code == 200

            cluster.start()  # type: ignore[attr-defined]
            await until_ok(anonymous, "/v1/readyz")  # the same process: its pool reconnected
            after = await http.post("/v1/api-keys", json={"name": "after"})
            assert after.status_code == 201
            acked[after.json()["id"]] = after.json()["key"]
            for key_id, key in acked.items():
                verdict = (await anonymous.post("/v1/api-keys/verify", json={"key": key})).json()
                assert verdict["valid"] is True and verdict["key_id"] == key_id
            listed = (await http.get("/v1/api-keys")).json()["data"]
            assert {k["id"] for k in listed} == set(acked)  # the refused writes did not happen
            assert all(k["status"] == "active" for k in listed)
    finally:
        served.stop()  # a graceful stop flushes the counted uses
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT requests FROM key_usage WHERE key_id = %s", (used,)).fetchone()
    # The 5 uses before the outage and the verify after it: none lost to the outage.
    assert row is not None and row[0] == 6


async def test_an_idle_instance_is_ready_as_soon_as_the_database_answers_again(
    postgres_factory: Callable[[], PostgresCluster], tmp_path: Path
) -> None:
    """Health probes during a restart must not push the pool's next attempt seconds away: the
    first request after the server accepts connections again is answered (was: 503 for 6-8 s)."""
    cluster = postgres_factory()
    app = create_app(tmp_path / "data", database_url=cluster.url, store_timeout=1)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as probe:
            assert (await probe.get("/v1/readyz")).status_code == 200
            cluster.stop()
            for _ in range(5):  # a load balancer's probes, each waiting out the store's wait
                assert (await probe.get("/v1/readyz")).status_code == 503
            cluster.start()  # returns once the server accepts connections
            ready = await probe.get("/v1/readyz")
            assert ready.status_code == 200, ready.text
            assert (await probe.post("/v1/api-keys/verify", json={"key": "x"})).status_code == 200
    finally:
        await app.state.store.close()
