"""A locked or slow store: reads keep answering, writes get 503 in time, no use count is lost."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ticos_tui.service import create_app
from ticos_tui.service.store.errors import StoreUnavailable
from ticos_tui.service.store.rolls import NewKey
from ticos_tui.service.store.sqlite import Store

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # SQLite's lock; PG: test_outage.py


@contextmanager
def write_lock_held(data_dir: Path) -> Iterator[None]:
    """Another connection (as another process would) holding SQLite's write lock."""
    blocker = sqlite3.connect(data_dir / "ticos.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def _client(app, credential: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers, timeout=60
    )


async def test_reads_answer_while_a_write_waits_for_the_lock(data_dir: Path, token: str) -> None:
    app = create_app(data_dir, store_timeout=60)
    async with _client(app, token) as client, _client(app) as anonymous:
        created = (await client.post("/v1/api-keys", json={"name": "app"})).json()
        # A use is pending (coalesced in memory), so reads have something to flush.
        assert (await _client(app, created["key"]).get("/v1/account")).status_code == 200
        with write_lock_held(data_dir):
            writing = asyncio.create_task(client.post("/v1/api-keys", json={"name": "waits"}))
            answers = [
                await anonymous.get("/v1/healthz"),
                await anonymous.get("/v1/readyz"),
                await client.get("/v1/api-keys"),
                await client.get(f"/v1/api-keys/{created['id']}"),
                await anonymous.post("/v1/api-keys/verify", json={"key": created["key"]}),
                await _client(app, created["key"]).get("/v1/api-keys"),
            ]
            # Every read answered while the write was still waiting for the lock.
            assert not writing.done()
            assert [r.status_code for r in answers] == [200] * 6
            assert answers[4].json()["valid"] is True
            assert answers[3].json()["last_used_at"] is not None
        created_later = await writing  # the lock is free: the waiting write goes through
        assert created_later.status_code == 201


async def test_a_write_that_cannot_get_the_store_in_time_answers_503(
    data_dir: Path, token: str
) -> None:
    app = create_app(data_dir, store_timeout=0.2)
    async with _client(app, token) as client:
        key = (await client.post("/v1/api-keys", json={"name": "k"})).json()
        with write_lock_held(data_dir):
            answers = [
                await client.post("/v1/api-keys", json={"name": "blocked"}),
                await client.patch(f"/v1/api-keys/{key['id']}", json={"name": "x"}),
                await client.post(f"/v1/api-keys/{key['id']}/revoke"),
            ]
            for response in answers:
                assert response.status_code == 503, response.text
                assert int(response.headers["retry-after"]) >= 1
                assert "store" in response.json()["detail"]
        after = (await client.get(f"/v1/api-keys/{key['id']}")).json()
        assert after["name"] == "k" and after["status"] == "active"
        assert (await client.post("/v1/api-keys", json={"name": "now"})).status_code == 201


async def test_readyz_says_when_the_store_cannot_answer(data_dir: Path, token: str) -> None:
    app = create_app(data_dir)
    async with _client(app) as anonymous:
        assert (await anonymous.get("/v1/readyz")).json() == {"status": "ok"}
        app.state.store.db.close()  # the database is gone under the app
        response = await anonymous.get("/v1/readyz")
        assert response.status_code == 503
        assert "store" in response.json()["detail"]
        assert (await anonymous.get("/v1/healthz")).status_code == 200


def test_a_failed_flush_keeps_its_counts_for_the_next(data_dir: Path, token: str) -> None:
    store = Store(data_dir, write_timeout=0.2)
    account = store.local_account()
    assert account is not None
    created, _ = store.create_key(account, NewKey("used", ["*"]))
    for _ in range(21):
        store.record_use(created["id"])
    with write_lock_held(data_dir), pytest.raises(StoreUnavailable):
        store.flush_uses()
    for _ in range(4):
        store.record_use(created["id"])
    store.flush_uses()
    store.close()
    conn = sqlite3.connect(data_dir / "ticos.db")
    total, last_used = conn.execute(
        "SELECT SUM(requests), MAX(last_used_at) FROM key_usage JOIN api_keys ON id = key_id"
        " WHERE key_id = ?",
        (created["id"],),
    ).fetchone()
    conn.close()
    assert total == 25 and last_used is not None


async def test_uses_counted_while_locked_all_arrive(data_dir: Path, token: str) -> None:
    app = create_app(data_dir, store_timeout=0.2)
    async with _client(app, token) as client, _client(app) as anonymous:
        created = (await client.post("/v1/api-keys", json={"name": "k"})).json()
        with write_lock_held(data_dir):
            for _ in range(21):
                verdict = await anonymous.post("/v1/api-keys/verify", json={"key": created["key"]})
                assert verdict.json()["valid"] is True
            with pytest.raises(StoreUnavailable):
                app.state.store.db.flush_uses()  # the flush the timer would run, failing
            during = (await client.get(f"/v1/api-keys/{created['id']}/usage?days=1")).json()
            assert during["days"][0]["requests"] == 21  # counts kept (and shown) while locked
        app.state.store.db.flush_uses()
        usage = (await client.get(f"/v1/api-keys/{created['id']}/usage?days=1")).json()
        assert usage["days"][0]["requests"] == 21
