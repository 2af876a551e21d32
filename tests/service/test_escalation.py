"""No escalation (contract v1.1): an API key never makes or controls a key more powerful than itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .conftest import ClientFactory, create_key


async def _writer(client: httpx.AsyncClient, make_client: ClientFactory) -> httpx.AsyncClient:
    created = await create_key(client, "writer", scopes=["api_keys:write"])
    return make_client(created["key"])


async def test_writer_key_cannot_create_a_full_access_key(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    writer = await _writer(client, make_client)
    for body in ({"name": "escalated"}, {"name": "escalated", "scopes": ["*"]}):
        refused = await writer.post("/v1/api-keys", json=body)
        assert refused.status_code == 403, refused.text
        assert "*" in refused.json()["detail"] and "key" not in refused.json()
    wider = await writer.post(
        "/v1/api-keys", json={"name": "wider", "scopes": ["api_keys:write", "usage:read"]}
    )
    assert wider.status_code == 403
    assert wider.json()["detail"].partition(": ")[2] == "usage:read"  # only the missing one
    names = [k["name"] for k in (await client.get("/v1/api-keys")).json()["data"]]
    assert names == ["writer"]  # nothing was created by the refused calls


async def test_subset_create_is_allowed(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    admin = make_client(
        (await create_key(client, "admin", scopes=["api_keys:read", "api_keys:write"]))["key"]
    )
    made = await admin.post("/v1/api-keys", json={"name": "child", "scopes": ["api_keys:write"]})
    assert made.status_code == 201 and made.json()["scopes"] == ["api_keys:write"]
    same = await admin.post(
        "/v1/api-keys", json={"name": "twin", "scopes": ["api_keys:write", "api_keys:read"]}
    )
    assert same.status_code == 201
    star = make_client((await create_key(client, "star"))["key"])
    assert (await star.post("/v1/api-keys", json={"name": "full"})).status_code == 201


@pytest.mark.parametrize("action", ["rename", "revoke", "delete", "roll"])
async def test_writer_key_cannot_control_a_more_powerful_key(
    client: httpx.AsyncClient, make_client: ClientFactory, action: str
) -> None:
    writer = await _writer(client, make_client)
    target = await create_key(client, "full", scopes=["*"])
    path = f"/v1/api-keys/{target['id']}"
    response = {
        "rename": lambda: writer.patch(path, json={"name": "pwned"}),
        "revoke": lambda: writer.post(path + "/revoke"),
        "delete": lambda: writer.delete(path),
        "roll": lambda: writer.post(path + "/roll", json={"grace_seconds": 0}),
    }[action]
    refused = await response()
    assert refused.status_code == 403, refused.text
    assert "*" in refused.json()["detail"] and "key" not in refused.json()
    after = (await client.get(path)).json()
    assert after["name"] == "full" and after["status"] == "active" and after["expires_at"] is None
    assert len((await client.get("/v1/api-keys")).json()["data"]) == 2  # no successor


async def test_partly_overlapping_key_is_refused_naming_the_missing_scopes(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    writer = await _writer(client, make_client)
    target = await create_key(client, "reader-writer", scopes=["api_keys:write", "usage:read"])
    refused = await writer.post(f"/v1/api-keys/{target['id']}/revoke")
    assert refused.status_code == 403
    assert refused.json()["detail"].partition(": ")[2] == "usage:read"


async def test_key_may_control_keys_within_its_scopes_and_revoke_itself(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    created = await create_key(client, "writer", scopes=["api_keys:write"])
    writer = make_client(created["key"])
    child = await create_key(writer, "child", scopes=["api_keys:write"])
    path = f"/v1/api-keys/{child['id']}"
    assert (await writer.patch(path, json={"name": "child 2"})).status_code == 200
    assert (await writer.post(path + "/roll", json={"grace_seconds": 0})).status_code == 201
    own = await writer.post(f"/v1/api-keys/{created['id']}/revoke")
    assert own.status_code == 200 and own.json()["status"] == "revoked"
    assert (await writer.get("/v1/api-keys")).status_code == 401  # it revoked itself


async def test_session_token_and_star_key_may_do_all(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    star = make_client((await create_key(client, "star"))["key"])
    for who in (client, star):
        target = await create_key(client, "target")
        path = f"/v1/api-keys/{target['id']}"
        assert (await who.patch(path, json={"name": "t2"})).status_code == 200
        rolled = await who.post(path + "/roll", json={"grace_seconds": 60})
        assert rolled.status_code == 201 and rolled.json()["scopes"] == ["*"]
        assert (await who.post(path + "/revoke")).status_code == 200
        assert (await who.delete(f"/v1/api-keys/{rolled.json()['id']}")).status_code == 204


def _in(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _expiring_writer(
    client: httpx.AsyncClient, make_client: ClientFactory, scopes: list[str]
) -> tuple[httpx.AsyncClient, str]:
    created = await create_key(client, "hour", scopes=scopes, expires_at=_in(3600))
    return make_client(created["key"]), created["expires_at"]


@pytest.mark.parametrize("scopes", [["api_keys:write"], ["*"]])
async def test_expiring_key_cannot_create_a_longer_lived_key(
    client: httpx.AsyncClient, make_client: ClientFactory, scopes: list[str]
) -> None:
    """v1.2: a key with api_keys:write that expired in 1 h made one that never expires."""
    writer, ends = await _expiring_writer(client, make_client, scopes)
    body = {"scopes": ["api_keys:write"]}
    plain = await writer.post("/v1/api-keys", json={"name": "plain", **body})
    assert plain.status_code == 201 and plain.json()["expires_at"] == ends  # with its creator
    later = await writer.post(
        "/v1/api-keys", json={"name": "later", "expires_at": _in(7200), **body}
    )
    assert later.status_code == 403 and "key" not in later.json()
    assert "expires" in later.json()["detail"] and ends in later.json()["detail"]
    sooner = _in(600)
    made = await writer.post("/v1/api-keys", json={"name": "sooner", "expires_at": sooner, **body})
    assert made.status_code == 201 and made.json()["expires_at"] == sooner
    names = sorted(k["name"] for k in (await client.get("/v1/api-keys")).json()["data"])
    assert names == ["hour", "plain", "sooner"]


async def test_expiring_key_cannot_roll_into_a_longer_lived_key(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    writer, ends = await _expiring_writer(client, make_client, ["api_keys:write"])
    forever = await create_key(client, "forever", scopes=["api_keys:write"])
    path = f"/v1/api-keys/{forever['id']}"
    later = await writer.post(path + "/roll", json={"expires_at": _in(7200)})
    assert later.status_code == 403 and "key" not in later.json()
    after = (await client.get(path)).json()
    assert after["status"] == "active" and after["expires_at"] is None  # not rolled
    assert len((await client.get("/v1/api-keys")).json()["data"]) == 2  # no successor
    rolled = await writer.post(path + "/roll", json={"grace_seconds": 0})
    assert rolled.status_code == 201 and rolled.json()["expires_at"] == ends
    # A kept lifetime shorter than the creator's stays as it was.
    short = await create_key(client, "short", scopes=["api_keys:write"], expires_at=_in(600))
    kept = await writer.post(f"/v1/api-keys/{short['id']}/roll", json={"grace_seconds": 0})
    assert kept.status_code == 201 and kept.json()["expires_at"] < ends
