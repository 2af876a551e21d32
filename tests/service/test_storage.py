"""The data folder: bootstrap, file modes, no secret at rest, schema version, pagination and speed."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from pathlib import Path

import httpx
import pytest

from tests.seeding import seed_store
from ticos_tui.core.keyformat import KEY_PATTERN, is_well_formed_token, secret_hash
from ticos_tui.service import create_app
from ticos_tui.service.bootstrap import create_account, local_session_token
from ticos_tui.service.store.schema_sqlite import SCHEMA_VERSION, migrate
from ticos_tui.service.store.sqlite import Store

from .conftest import AppFactory, ClientFactory, MovingClock, client_of, create_key


def test_local_session_token_is_created_once_and_reused(data_dir: Path) -> None:
    token = local_session_token(data_dir)
    assert is_well_formed_token(token)
    path = data_dir / "session-token"
    assert path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert local_session_token(data_dir) == token
    path.write_text("tst_" + "x" * 43)  # unknown to the database: a new token replaces it
    fresh = local_session_token(data_dir)
    assert fresh != token and path.read_text().strip() == fresh
    path.unlink()
    latest = local_session_token(data_dir)
    assert latest not in (token, fresh)
    store = Store(data_dir)
    assert store.account_for_token_hash(secret_hash(latest)) == store.local_account()
    for earlier in (token, fresh):  # a new local token ends the earlier ones (v1.1)
        assert store.account_for_token_hash(secret_hash(earlier)) is None
    store.close()


def test_create_account_gives_a_working_token(data_dir: Path) -> None:
    account_id, token = create_account(data_dir, "Ann", "ann@example.com")
    assert account_id.startswith("acc_") and is_well_formed_token(token)
    store = Store(data_dir)
    assert store.account_for_token_hash(secret_hash(token)) == account_id
    assert store.account(account_id)["email"] == "ann@example.com"
    store.close()


@pytest.mark.parametrize("backend", ["sqlite"])  # the data folder's files
async def test_no_secret_at_rest_and_private_modes(
    data_dir: Path,
    client: httpx.AsyncClient,
    make_client: ClientFactory,
    token: str,
    other_token: str,
    app,
) -> None:
    secrets_seen = {token, other_token}
    for i in range(5):
        created = await create_key(client, f"k{i}")
        secrets_seen.add(created["key"])
        await make_client(created["key"]).get("/v1/api-keys")
        rolled = (
            await client.post(f"/v1/api-keys/{created['id']}/roll", json={"grace_seconds": 60})
        ).json()
        secrets_seen.add(rolled["key"])
        await client.post("/v1/api-keys/verify", json={"key": rolled["key"]})
    await app.state.store.flush_uses()
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"ticos.db", "ticos.db-wal", "session-token"}
    for path in files:
        data = path.read_bytes()
        for secret in secrets_seen:
            if path.name == "session-token" and secret == token:
                continue  # the one place the local session token lives, by design (0600)
            assert secret.encode() not in data, path
        assert not KEY_PATTERN.search(data), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_schema_version_and_settings(data_dir: Path) -> None:
    store = Store(data_dir)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate(conn) == SCHEMA_VERSION  # already current: nothing to do
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    store.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(data_dir)


async def test_pagination_sees_every_key_once_while_keys_are_created(
    client: httpx.AsyncClient, app
) -> None:
    store = app.state.store
    await seed_store(store, await store.local_account(), [f"seed{i}" for i in range(250)])
    before = {k["id"] for k in await all_keys(client)}
    assert len(before) == 250
    seen: list[str] = []
    cursor = None
    created_meanwhile = []
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/api-keys", params=params)).json()
        seen += [k["id"] for k in page["data"]]
        created_meanwhile += [(await create_key(client, "new"))["id"] for _ in range(2)]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 250
    assert set(seen) == before
    everything = [k["id"] for k in await all_keys(client)]
    assert everything[: len(created_meanwhile)] == created_meanwhile[::-1]  # new keys at the head


async def all_keys(client: httpx.AsyncClient, limit: int = 1000) -> list[dict]:
    keys: list[dict] = []
    cursor = None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/api-keys", params=params)).json()
        keys += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return keys


@pytest.mark.parametrize("backend", ["sqlite"])  # the PostgreSQL paging test is above
async def test_paging_ten_thousand_keys_sees_each_once(client: httpx.AsyncClient, app) -> None:
    # How fast is measured by `python -m benchmarks service` (timing asserts fail on busy CI).
    store = app.state.store
    await seed_store(store, await store.local_account(), [f"bulk {i}" for i in range(10_000)])
    keys = await all_keys(client)
    assert len(keys) == 10_000 and len({k["id"] for k in keys}) == 10_000


@pytest.mark.parametrize("backend", ["sqlite"])  # reads the SQLite file
async def test_uses_are_written_within_two_seconds_without_reads(
    data_dir: Path, make_app: AppFactory, token: str
) -> None:
    clock = MovingClock()
    app = make_app(clock=clock)
    async with client_of(app, token) as client:
        created = await create_key(client)
        async with client_of(app, created["key"]) as as_key:
            await as_key.get("/v1/api-keys")
            clock.advance(1.05)  # a second passes for the app
            await as_key.get("/v1/api-keys")  # the next request after a second flushes

    def written() -> tuple[object, object]:
        conn = sqlite3.connect(data_dir / "ticos.db")
        try:
            row = conn.execute(
                "SELECT last_used_at FROM api_keys WHERE id = ?", (created["id"],)
            ).fetchone()
            total = conn.execute(
                "SELECT SUM(requests) FROM key_usage WHERE key_id = ?", (created["id"],)
            ).fetchone()
        finally:
            conn.close()
        return row[0], total[0]

    # The flush runs off the event loop: wait for it (no further request), don't race it.
    deadline = asyncio.get_running_loop().time() + 10
    while None in written() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    last_used, total = written()
    assert last_used is not None and isinstance(total, int) and total >= 1


def test_database_is_created_private_even_with_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = Store(tmp_path / "loose")
        store.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "loose" / "ticos.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "loose").stat().st_mode) == 0o700


@pytest.mark.parametrize("backend", ["sqlite"])  # embedded mode is SQLite
def test_create_app_needs_no_lifespan(data_dir: Path, token: str) -> None:
    app = create_app(data_dir)

    async def run() -> int:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            return (
                await c.get("/v1/account", headers={"Authorization": f"Bearer {token}"})
            ).status_code

    assert asyncio.run(run()) == 200
