"""The audit log (contract v1.2) on both stores: every action's event, who and from where, scope,
isolation, filters, pagination while events are added, retention, and roll lineage."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette

from ticos_tui.core.keyformat import generate_key, secret_hash
from ticos_tui.service.audit import EventQuery
from ticos_tui.service.store.times import format_ts

from .conftest import AppFactory, ClientFactory, create_key


async def events(client: httpx.AsyncClient, **query: object) -> list[dict]:
    answer = await client.get("/v1/audit-events", params=query)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


async def test_every_key_change_has_one_event_with_who_and_from_where(
    make_client: ClientFactory, token: str
) -> None:
    client = make_client(token, address="10.9.8.7")
    key = await create_key(client, "Nightly", scopes=["api_keys:read"])
    assert (await client.patch(f"/v1/api-keys/{key['id']}", json={"name": "Batch"})).is_success
    assert (await client.post(f"/v1/api-keys/{key['id']}/revoke")).status_code == 200
    assert (await client.post(f"/v1/api-keys/{key['id']}/revoke")).status_code == 200  # no-op
    other = await create_key(client, "Web")
    rolled = await client.post(f"/v1/api-keys/{other['id']}/roll", json={"grace_seconds": 60})
    assert rolled.status_code == 201
    assert (await client.delete(f"/v1/api-keys/{key['id']}")).status_code == 204

    got = await events(client)
    actions = [(e["action"], e["key_id"], e["key_name"]) for e in got]
    assert actions[:6] == [
        ("key.deleted", key["id"], "Batch"),
        ("key.rolled", other["id"], "Web"),
        ("key.created", other["id"], "Web"),
        ("key.revoked", key["id"], "Batch"),  # once: the second revoke changed nothing
        ("key.renamed", key["id"], "Batch"),
        ("key.created", key["id"], "Nightly"),
    ]
    by_action = {e["action"]: e for e in got[:6]}
    assert by_action["key.renamed"]["detail"] == {"old_name": "Nightly", "new_name": "Batch"}
    assert got[5]["detail"] == {"scopes": ["api_keys:read"], "expires_at": None}
    assert got[2]["detail"] == {"scopes": ["*"], "expires_at": None}
    assert by_action["key.rolled"]["detail"] == {
        "new_key_id": rolled.json()["id"],
        "grace_seconds": 60,
    }
    assert by_action["key.deleted"]["detail"] == {"was_revoked": True}
    for event in got[:6]:
        assert event["id"].startswith("evt_")
        assert event["client"] == "10.9.8.7"
        assert event["actor"]["type"] == "session"
        assert event["actor"]["id"].startswith("ses_")
    # Kept after the key is deleted, and never a secret, token or hash of one.
    text = json.dumps(got)
    for secret in (token, secret_hash(token), key["key"], secret_hash(key["key"])):
        assert secret not in text


async def test_an_api_key_actor_is_named_by_id_and_name_at_the_time(
    make_client: ClientFactory, client: httpx.AsyncClient
) -> None:
    robot = await create_key(client, "CI robot", scopes=["api_keys:write", "api_keys:read"])
    as_key = make_client(robot["key"], address="192.0.2.5")
    made = await create_key(as_key, "made by CI", scopes=["api_keys:read"])
    got = await events(client, key_id=made["id"])
    assert len(got) == 1
    assert got[0]["actor"] == {"type": "api_key", "id": robot["id"], "name": "CI robot"}
    assert got[0]["client"] == "192.0.2.5"
    # The robot cannot read the log without audit:read.
    refused = await as_key.get("/v1/audit-events")
    assert refused.status_code == 403 and "audit:read" in refused.json()["detail"]


async def test_audit_read_scope_reads_only_its_own_account(
    make_client: ClientFactory, client: httpx.AsyncClient, other_token: str
) -> None:
    mine = await create_key(client, "mine")
    bea = make_client(other_token)
    hers = await create_key(bea, "hers")
    reader = await create_key(client, "auditor", scopes=["audit:read"])
    as_reader = make_client(reader["key"])
    seen = await events(as_reader, limit=1000)
    ids = {e["key_id"] for e in seen}
    assert mine["id"] in ids and hers["id"] not in ids
    assert await events(as_reader, key_id=hers["id"]) == []
    # And Bea sees hers (and her session's start), not mine.
    assert {e["key_id"] for e in await events(bea)} == {hers["id"], None}


async def test_sessions_created_and_ended_are_recorded(
    make_app: AppFactory, data_dir, database_url, token: str
) -> None:
    from ticos_tui.service.bootstrap import create_account

    app = make_app()
    account_id, cy_token = create_account(
        data_dir, "Cy", "cy@example.com", database_url=database_url
    )
    transport = httpx.ASGITransport(app=app, client=("10.0.0.3", 1))
    headers = {"Authorization": f"Bearer {cy_token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as cy:
        created = await events(cy, action="session.created")
        assert len(created) == 1 and created[0]["actor"]["id"].startswith("ses_")
        assert created[0]["actor"]["name"] == "Cy" and created[0]["client"] is None
        session_id = created[0]["actor"]["id"]
        assert (await cy.delete("/v1/session")).status_code == 204
        assert (await cy.get("/v1/audit-events")).status_code == 401
    # The token is gone; its end is in the account's log, by the same session id.
    page, _ = await app.state.store.list_events(
        account_id, EventQuery(action="session.ended", limit=10)
    )
    assert [(e["actor"]["id"], e["client"], e["detail"]) for e in page] == [
        (session_id, "10.0.0.3", {"reason": "signed out"})
    ]


async def test_a_client_passing_the_failure_limit_is_recorded_once(
    make_app: AppFactory, make_client: ClientFactory, client: httpx.AsyncClient
) -> None:
    app: Starlette = make_app(failed_auth_limit=3)
    revoked = await create_key(client, "old laptop")
    assert (await client.post(f"/v1/api-keys/{revoked['id']}/revoke")).status_code == 200
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1))
    headers = {"Authorization": f"Bearer {revoked['key']}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as bad:
        statuses = [(await bad.get("/v1/api-keys")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    throttled = await events(client, action="auth.throttled")
    assert len(throttled) == 1
    assert throttled[0]["client"] == "203.0.113.9" and throttled[0]["actor"] is None
    assert throttled[0]["key_id"] == revoked["id"]
    assert throttled[0]["detail"] == {"limit": "auth"}
    # Unknown keys belong to no account: their throttle is not shown to this one.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("198.51.100.1", 1)),
                                 base_url="http://t") as guesser:  # fmt: skip
        for _ in range(4):
            await guesser.post("/v1/api-keys/verify", json={"key": generate_key()})
    assert len(await events(client, action="auth.throttled")) == 1


async def test_filters_validation_and_the_cursor_while_events_are_added(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    made = [await create_key(client, f"k{i}") for i in range(7)]
    first = await client.get("/v1/audit-events", params={"limit": 3, "action": "key.created"})
    page = first.json()
    assert [e["key_id"] for e in page["data"]] == [m["id"] for m in made[::-1][:3]]
    await create_key(client, "added meanwhile")  # a new event at the head shifts nothing
    seen = [e["key_id"] for e in page["data"]]
    cursor = page["next_cursor"]
    while cursor:
        nxt = await client.get(
            "/v1/audit-events", params={"limit": 3, "action": "key.created", "cursor": cursor}
        )
        seen += [e["key_id"] for e in nxt.json()["data"]]
        cursor = nxt.json()["next_cursor"]
    assert seen[:7] == [m["id"] for m in made[::-1]]
    assert len(seen) == len(set(seen))
    one = await events(client, key_id=made[2]["id"])
    assert [e["action"] for e in one] == ["key.created"]
    future = format_ts(app.state.store.clock() + 3600)
    assert await events(client, since=future) == []
    assert len(await events(client, since="2000-01-01T00:00:00Z", action="key.created")) == 8
    for bad in (
        {"limit": 0},
        {"limit": 1001},
        {"action": "key.exploded"},
        {"key_id": "evt_x"},
        {"since": "yesterday"},
        {"since": "2026-12-01T00:00:00"},  # no time zone
        {"since": "0001-01-01T00:00:00+01:00"},  # before year 1 in UTC
        {"cursor": "!!"},
        {"actor": "x"},
    ):
        answer = await client.get("/v1/audit-events", params=bad)
        assert answer.status_code == 422, (bad, answer.text)
    assert (await client.post("/v1/audit-events")).status_code == 405


async def test_retention_prunes_old_events_only(client: httpx.AsyncClient, app: Starlette) -> None:
    await create_key(client, "recent")
    store = app.state.store
    assert await store.prune_events("2000-01-01T00:00:00Z") == 0
    assert len(await events(client, action="key.created")) == 1
    assert await store.prune_events(format_ts(store.clock() + 10)) >= 1
    assert await events(client) == []


async def test_roll_sets_lineage_both_ways_and_only_roll_does(
    client: httpx.AsyncClient,
) -> None:
    old = await create_key(client, "svc")
    assert old["replaces"] is None and old["replaced_by"] is None
    twin = await create_key(client, "svc")  # same name, by hand: not a successor
    new = (await client.post(f"/v1/api-keys/{old['id']}/roll")).json()
    assert new["replaces"] == old["id"] and new["replaced_by"] is None
    old_now = (await client.get(f"/v1/api-keys/{old['id']}")).json()
    assert old_now["replaced_by"] == new["id"] and old_now["replaces"] is None
    twin_now = (await client.get(f"/v1/api-keys/{twin['id']}")).json()
    assert twin_now["replaces"] is None and twin_now["replaced_by"] is None
    listed = {k["id"]: k for k in (await client.get("/v1/api-keys")).json()["data"]}
    assert listed[new["id"]]["replaces"] == old["id"]
    # Kept after the old key is deleted.
    assert (await client.delete(f"/v1/api-keys/{old['id']}")).status_code == 204
    assert (await client.get(f"/v1/api-keys/{new['id']}")).json()["replaces"] == old["id"]


pytestmark = pytest.mark.timeout(120)
