"""Every endpoint of the contract, its success answer and its error statuses."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ticos_tui.core.keyformat import is_well_formed_key

from .conftest import AppFactory, ClientFactory, create_key

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def future(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_healthz_and_openapi_need_no_auth(make_client: ClientFactory) -> None:
    anonymous = make_client()
    assert (await anonymous.get("/v1/healthz")).json() == {"status": "ok"}
    doc = (await anonymous.get("/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert "bearer" in doc["components"]["securitySchemes"]


async def test_account(client: httpx.AsyncClient) -> None:
    account = (await client.get("/v1/account")).json()
    assert account["id"].startswith("acc_")
    assert account["email"].endswith("@localhost")
    assert TIME.fullmatch(account["created_at"])


async def test_create_returns_key_once_and_the_object(client: httpx.AsyncClient) -> None:
    created = await create_key(client, "Nightly Batch Script")
    assert is_well_formed_key(created["key"])
    assert created["snippet"] == f"{created['key'][:7]}…{created['key'][-4:]}"
    assert created["status"] == "active" and created["scopes"] == ["*"]
    assert TIME.fullmatch(created["created_at"])
    assert created["last_used_at"] is None and created["expires_at"] is None
    assert created["revoked_at"] is None
    fetched = (await client.get(f"/v1/api-keys/{created['id']}")).json()
    assert "key" not in fetched
    assert fetched == {k: v for k, v in created.items() if k != "key"}
    listed = (await client.get("/v1/api-keys")).json()
    assert created["key"] not in str(listed)


async def test_create_with_scopes_and_expiry(client: httpx.AsyncClient) -> None:
    expires = future(days=30)
    created = await create_key(
        client,
        "scoped",
        scopes=["api_keys:read", "usage:read", "api_keys:read"],
        expires_at=expires,
    )
    assert created["scopes"] == ["api_keys:read", "usage:read"]
    assert created["expires_at"] == expires
    offset = await create_key(client, "offset", expires_at="2030-01-01T01:00:00.5+01:00")
    assert offset["expires_at"] == "2030-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": "*"}, "scopes"),
        ({"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "expires_at": "2099-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "x", "expires_at": "2030-02-30T00:00:00Z"}, "expires_at"),
        ({"name": "x", "expires_at": 1893456000}, "expires_at"),
        ({"name": 5}, "name"),
        ({}, "name"),
    ],
)
async def test_create_validation(client: httpx.AsyncClient, body: dict, field: str) -> None:
    response = await client.post("/v1/api-keys", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")


async def test_expires_at_ten_years_is_the_limit(client: httpx.AsyncClient) -> None:
    assert (
        await client.post("/v1/api-keys", json={"name": "x", "expires_at": future(days=3650)})
    ).status_code == 201
    assert (
        await client.post("/v1/api-keys", json={"name": "x", "expires_at": future(days=3654)})
    ).status_code == 422


async def test_rename(client: httpx.AsyncClient) -> None:
    created = await create_key(client, "old")
    response = await client.patch(f"/v1/api-keys/{created['id']}", json={"name": "  new name  "})
    assert response.status_code == 200
    assert response.json()["name"] == "new name"
    assert (
        await client.patch(f"/v1/api-keys/{created['id']}", json={"name": ""})
    ).status_code == 422
    assert (await client.patch(f"/v1/api-keys/{created['id']}", json={})).status_code == 422


async def test_revoke_is_idempotent(client: httpx.AsyncClient) -> None:
    created = await create_key(client)
    first = (await client.post(f"/v1/api-keys/{created['id']}/revoke")).json()
    assert first["status"] == "revoked" and TIME.fullmatch(first["revoked_at"])
    second = await client.post(f"/v1/api-keys/{created['id']}/revoke")
    assert second.status_code == 200 and second.json()["revoked_at"] == first["revoked_at"]


async def test_delete_hides_the_key_everywhere(client: httpx.AsyncClient) -> None:
    created = await create_key(client)
    assert (await client.delete(f"/v1/api-keys/{created['id']}")).status_code == 204
    for status in ("all", "revoked", "active", "expired"):
        page = (await client.get("/v1/api-keys", params={"status": status})).json()
        assert created["id"] not in {k["id"] for k in page["data"]}
    assert (await client.get(f"/v1/api-keys/{created['id']}")).status_code == 404
    assert (await client.delete(f"/v1/api-keys/{created['id']}")).status_code == 404
    verdict = (await client.post("/v1/api-keys/verify", json={"key": created["key"]})).json()
    assert verdict == {"valid": False, "reason": "revoked"}


async def test_roll_with_grace_and_without(client: httpx.AsyncClient) -> None:
    old = await create_key(client, "roller", scopes=["api_keys:read"])
    rolled = await client.post(f"/v1/api-keys/{old['id']}/roll", json={"grace_seconds": 3600})
    assert rolled.status_code == 201
    new = rolled.json()
    assert new["id"] != old["id"] and new["key"] != old["key"]
    assert new["name"] == "roller" and new["scopes"] == ["api_keys:read"]
    after = (await client.get(f"/v1/api-keys/{old['id']}")).json()
    assert after["status"] == "active" and after["expires_at"] is not None
    verify = (await client.post("/v1/api-keys/verify", json={"key": old["key"]})).json()
    assert verify["valid"] is True
    again = (await client.post(f"/v1/api-keys/{new['id']}/roll")).json()  # no body: grace 0
    assert (await client.get(f"/v1/api-keys/{new['id']}")).json()["status"] == "revoked"
    assert (await client.post("/v1/api-keys/verify", json={"key": new["key"]})).json() == {
        "valid": False,
        "reason": "revoked",
    }
    assert (await client.post("/v1/api-keys/verify", json={"key": again["key"]})).json()["valid"]
    for grace in (-1, 604801, "60", True, 1.5):
        bad = await client.post(f"/v1/api-keys/{old['id']}/roll", json={"grace_seconds": grace})
        assert bad.status_code == 422 and bad.json()["detail"].startswith("grace_seconds: ")


async def test_usage_counts_days_oldest_first(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    created = await create_key(client)
    as_key = make_client(created["key"])
    for _ in range(3):
        assert (await as_key.get("/v1/api-keys")).status_code == 200
    await client.post("/v1/api-keys/verify", json={"key": created["key"]})
    days = (await client.get(f"/v1/api-keys/{created['id']}/usage", params={"days": 7})).json()[
        "days"
    ]
    assert len(days) == 7
    assert [d["date"] for d in days] == sorted(d["date"] for d in days)
    assert days[-1] == {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "requests": 4}
    assert all(d["requests"] == 0 for d in days[:-1])
    default = (await client.get(f"/v1/api-keys/{created['id']}/usage")).json()["days"]
    assert len(default) == 30
    for days_value in ("0", "91", "x", "-1"):
        bad = await client.get(f"/v1/api-keys/{created['id']}/usage", params={"days": days_value})
        assert bad.status_code == 422 and bad.json()["detail"].startswith("days: ")


async def test_expired_key_status_and_auth(
    make_client: ClientFactory, make_app: AppFactory, token: str
) -> None:
    now = [time.time()]
    app = make_app(clock=lambda: now[0])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        created = await create_key(client, expires_at=future(seconds=60))
        now[0] += 120
        assert (await client.get(f"/v1/api-keys/{created['id']}")).json()["status"] == "expired"
        expired = (await client.get("/v1/api-keys", params={"status": "expired"})).json()["data"]
        assert [k["id"] for k in expired] == [created["id"]]
        assert (await client.get("/v1/api-keys", params={"status": "active"})).json()["data"] == []
        verdict = (await client.post("/v1/api-keys/verify", json={"key": created["key"]})).json()
        assert verdict == {"valid": False, "reason": "expired"}
        response = await client.get(
            "/v1/account", headers={"Authorization": f"Bearer {created['key']}"}
        )
        assert response.status_code == 401 and "expired" in response.json()["detail"]


async def test_list_filters_by_status(client: httpx.AsyncClient) -> None:
    active = await create_key(client, "a")
    revoked = await create_key(client, "r")
    await client.post(f"/v1/api-keys/{revoked['id']}/revoke")
    pages = {}
    for status in ("active", "revoked", "all"):
        pages[status] = [
            k["id"]
            for k in (await client.get("/v1/api-keys", params={"status": status})).json()["data"]
        ]
    assert pages == {
        "active": [active["id"]],
        "revoked": [revoked["id"]],
        "all": [revoked["id"], active["id"]],
    }
    for query in (
        {"status": "gone"},
        {"status": ""},
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "ten"},
        {"limit": "1e3"},
        {"cursor": "!!"},
        {"cursor": "AAAA"},
        {"cursor": ""},
        {"limit": "9" * 5000},
    ):
        response = await client.get("/v1/api-keys", params=query)
        assert response.status_code == 422, query
        assert response.json()["detail"].split(":")[0] in query
    twice = await client.get("/v1/api-keys?limit=5&limit=6")
    assert twice.status_code == 422


async def test_verify_answers(client: httpx.AsyncClient, make_client: ClientFactory) -> None:
    created = await create_key(client, scopes=["agents:invoke"])
    anonymous = make_client()
    ok = (await anonymous.post("/v1/api-keys/verify", json={"key": created["key"]})).json()
    account = (await client.get("/v1/account")).json()
    assert ok == {
        "valid": True,
        "key_id": created["id"],
        "account_id": account["id"],
        "scopes": ["agents:invoke"],
        "expires_at": None,
    }
    key = created["key"]
    wrong_checksum = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert (await anonymous.post("/v1/api-keys/verify", json={"key": wrong_checksum})).json() == {
        "valid": False,
        "reason": "malformed",
    }
    assert (await anonymous.post("/v1/api-keys/verify", json={"key": "hello"})).json()[
        "reason"
    ] == "malformed"
    from ticos_tui.core.keyformat import generate_key

    assert (await anonymous.post("/v1/api-keys/verify", json={"key": generate_key()})).json() == {
        "valid": False,
        "reason": "unknown",
    }
    assert (await anonymous.post("/v1/api-keys/verify", json={})).status_code == 422
    assert (await anonymous.post("/v1/api-keys/verify", json={"key": 5})).status_code == 422
    assert (await anonymous.post("/v1/api-keys/verify", content=b"key=1")).status_code == 400


async def test_wrong_method_unknown_path_and_bad_ids(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/api-keys")
    assert response.status_code == 405 and set(response.headers["allow"].split(", ")) >= {
        "GET",
        "POST",
    }
    assert response.json()["detail"]
    assert (await client.get("/v1/api-keys/verify")).status_code == 405
    assert (await client.patch("/v1/api-keys/verify", json={"name": "x"})).status_code == 405
    for path in (
        "/v1/nowhere",
        "/v2/api-keys",
        "/v1/api-keys/",
        "/v1/api-keys/..%2F..%2Fetc%2Fpasswd",
        "/v1/api-keys/../../etc/passwd",
        "/v1/api-keys/key_" + "a" * 5000,
        "/v1/api-keys/key_x%00",
        "/v1/api-keys/key_nope",
        "/v1/api-keys/key_nope/usage",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "detail" in response.json()
    assert (await client.post("/v1/api-keys/key_nope/revoke")).status_code == 404
    assert (await client.post("/v1/api-keys/key_nope/roll")).status_code == 404
    assert (await client.patch("/v1/api-keys/key_nope", json={"name": "x"})).status_code == 404


async def test_twenty_concurrent_creates_lose_none(client: httpx.AsyncClient) -> None:
    results = await asyncio.gather(
        *(client.post("/v1/api-keys", json={"name": f"c{i}"}) for i in range(20))
    )
    assert [r.status_code for r in results] == [201] * 20
    keys = {r.json()["key"] for r in results}
    ids = {r.json()["id"] for r in results}
    assert len(keys) == 20 and len(ids) == 20
    listed = {k["id"] for k in (await client.get("/v1/api-keys")).json()["data"]}
    assert listed == ids
