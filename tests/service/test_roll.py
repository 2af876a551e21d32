"""Rolling a key (contract v1.1): 409 for revoked, expired or already-rolled keys, lifetime, atomicity."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ticos_tui.service.store.errors import KeyConflict
from ticos_tui.service.store.factory import open_store
from ticos_tui.service.store.protocol import Store as StoreProtocol
from ticos_tui.service.store.rolls import NewKey, Roll
from ticos_tui.service.store.schema_sqlite import MIGRATIONS
from ticos_tui.service.store.sqlite import Store
from ticos_tui.service.store.sqlite_db import DB_NAME

from .conftest import AppFactory, create_key


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _active(client: httpx.AsyncClient) -> list[dict]:
    return (await client.get("/v1/api-keys", params={"status": "active"})).json()["data"]


async def test_revoked_key_cannot_be_rolled(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "gone")
    await client.post(f"/v1/api-keys/{key['id']}/revoke")
    refused = await client.post(f"/v1/api-keys/{key['id']}/roll", json={"grace_seconds": 60})
    assert refused.status_code == 409 and "revoked" in refused.json()["detail"]
    assert await _active(client) == []


async def test_expired_key_cannot_be_rolled(make_app: AppFactory, token: str) -> None:
    now = [time.time()]
    app = make_app(clock=lambda: now[0])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        key = await create_key(
            client, "short", expires_at=_stamp(datetime.now(UTC) + timedelta(minutes=1))
        )
        now[0] += 120
        refused = await client.post(f"/v1/api-keys/{key['id']}/roll")
        assert refused.status_code == 409 and "expired" in refused.json()["detail"]
        assert await _active(client) == []


async def test_key_in_its_grace_period_cannot_be_rolled_again(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "twice")
    first = await client.post(f"/v1/api-keys/{key['id']}/roll", json={"grace_seconds": 3600})
    assert first.status_code == 201
    again = await client.post(f"/v1/api-keys/{key['id']}/roll", json={"grace_seconds": 3600})
    assert again.status_code == 409 and "already rolled" in again.json()["detail"]
    assert [k["id"] for k in await _active(client)] == [first.json()["id"], key["id"]]
    # The successor itself can be rolled as usual.
    assert (await client.post(f"/v1/api-keys/{first.json()['id']}/roll")).status_code == 201


async def test_successor_keeps_the_lifetime(make_app: AppFactory, token: str) -> None:
    now = [time.time()]
    app = make_app(clock=lambda: now[0])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        key = await create_key(
            client, "30 days", expires_at=_stamp(datetime.now(UTC) + timedelta(days=30))
        )
        lifetime = _at(key["expires_at"]) - _at(key["created_at"])
        now[0] += 10 * 86400  # rolled ten days in: the new key still gets thirty days
        rolled = (await client.post(f"/v1/api-keys/{key['id']}/roll")).json()
        assert rolled["expires_at"] is not None
        assert _at(rolled["expires_at"]) - _at(rolled["created_at"]) == lifetime
        forever = await create_key(client, "forever")
        assert (await client.post(f"/v1/api-keys/{forever['id']}/roll")).json()[
            "expires_at"
        ] is None


async def test_roll_takes_expires_at_validated_like_create(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "chosen")
    wanted = _stamp(datetime.now(UTC) + timedelta(days=5))
    for bad in ("tomorrow", _stamp(datetime.now(UTC) - timedelta(days=1)), 5):
        refused = await client.post(f"/v1/api-keys/{key['id']}/roll", json={"expires_at": bad})
        assert refused.status_code == 422 and refused.json()["detail"].startswith("expires_at: ")
    rolled = await client.post(f"/v1/api-keys/{key['id']}/roll", json={"expires_at": wanted})
    assert rolled.status_code == 201 and rolled.json()["expires_at"] == wanted
    never = await client.post(f"/v1/api-keys/{rolled.json()['id']}/roll", json={"expires_at": None})
    assert never.status_code == 201 and never.json()["expires_at"] is None


async def test_concurrent_rolls_of_one_key_exactly_one_succeeds(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client, "contended")
    answers = await asyncio.gather(
        *(
            client.post(f"/v1/api-keys/{key['id']}/roll", json={"grace_seconds": 60})
            for _ in range(3)
        )
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409]
    assert len(await _active(client)) == 2  # the old key in its grace period, one successor


async def test_rolls_racing_a_revoke_leave_at_most_one_successor(
    client: httpx.AsyncClient,
) -> None:
    key = await create_key(client, "contended")
    path = f"/v1/api-keys/{key['id']}"
    answers = await asyncio.gather(
        *(client.post(path + "/roll", json={"grace_seconds": 60}) for _ in range(3)),
        client.post(path + "/revoke"),
    )
    rolls, revoke = answers[:3], answers[3]
    assert revoke.status_code == 200
    codes = sorted(r.status_code for r in rolls)
    assert codes in ([201, 409, 409], [409, 409, 409])
    assert len(await _active(client)) == codes.count(201)  # the old key is revoked either way


async def test_rolls_from_several_stores_exactly_one_succeeds(
    data_dir: Path, database_url: str | None, token: str
) -> None:
    """Stores with their own connections (as separate instances have) roll one key at once."""
    stores = [open_store(data_dir, database_url) for _ in range(4)]
    first = stores[0]
    account = await first.local_account()
    assert account is not None
    created, _ = await first.create_key(account, NewKey("shared", ["*"]))

    async def roll(store: StoreProtocol) -> str:
        try:
            await store.roll_key(account, created["id"], Roll(60))
        except KeyConflict:
            return "conflict"
        return "rolled"

    outcomes = await asyncio.gather(*(roll(store) for store in stores))
    assert sorted(outcomes) == ["conflict"] * 3 + ["rolled"]
    active, _ = await first.list_keys(account, "active", 100, None)
    assert len(active) == 2
    for store in stores:
        await store.close()


async def test_roll_answers_are_documented(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/v1/openapi.json")).json()
    roll = doc["paths"]["/v1/api-keys/{key_id}/roll"]["post"]
    assert "409" in roll["responses"]
    body = doc["components"]["schemas"]["RollKeyRequest"]["properties"]
    assert "expires_at" in body and "grace_seconds" in body


def test_a_version_1_database_upgrades_keeping_its_keys(data_dir: Path) -> None:
    """The rolled-key marker arrives by migration: a database from before it keeps its keys."""
    data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(data_dir / DB_NAME)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO accounts (id, name, email, created_at, is_local)"
        " VALUES ('acc_1', 'a', 'a@x', '2026-01-01T00:00:00Z', 1)"
    )
    conn.execute(
        "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, scopes, created_at)"
        " VALUES ('key_1', 'acc_1', 'old', 'h', 'tk_…', '[\"*\"]', '2026-01-01T00:00:00Z')"
    )
    conn.commit()
    conn.close()
    store = Store(data_dir)
    try:
        rolled = store.roll_key("acc_1", "key_1", Roll(0))
        assert rolled is not None and rolled[0]["name"] == "old"
        with pytest.raises(KeyConflict):
            store.roll_key("acc_1", "key_1", Roll(0))
    finally:
        store.close()
