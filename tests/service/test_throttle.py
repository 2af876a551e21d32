"""Rate limits (contract v1.1): failures of one kind never throttle another, nor a valid credential."""

from __future__ import annotations

import asyncio

import httpx

from ticos_tui.core.keyformat import generate_key, generate_token

from .conftest import AppFactory


def _client(app, address: str, credential: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    transport = httpx.ASGITransport(app=app, client=(address, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers)


async def test_failed_verifies_throttle_only_verify_not_a_valid_session_token(
    make_app: AppFactory, token: str
) -> None:
    # `ticos-tui scan` of a folder with 35 unknown keys, then the TUI's own requests.
    app = make_app()
    async with _client(app, "10.1.1.1") as scanner, _client(app, "10.1.1.1", token) as tui:
        verdicts = [
            await scanner.post("/v1/api-keys/verify", json={"key": generate_key()})
            for _ in range(35)
        ]
        assert verdicts[-1].status_code == 429  # verify itself is throttled
        assert (await tui.get("/v1/api-keys")).status_code == 200
        assert (await tui.get("/v1/account")).status_code == 200
        # Failed verifies are not failed authentications: an unknown credential still gets 401.
        unknown = await scanner.get(
            "/v1/account", headers={"Authorization": f"Bearer {generate_key()}"}
        )
        assert unknown.status_code == 401


async def test_a_valid_credential_is_never_throttled_by_failures(
    make_app: AppFactory, token: str
) -> None:
    app = make_app(failed_auth_limit=5)
    async with _client(app, "10.2.2.2", generate_token()) as guesser:
        statuses = [(await guesser.get("/v1/api-keys")).status_code for _ in range(7)]
        assert statuses == [401] * 5 + [429] * 2
        # Brute force stays throttled: more guesses, of either kind, get 429 ...
        other_guess = await guesser.get(
            "/v1/api-keys", headers={"Authorization": f"Bearer {generate_key()}"}
        )
        assert other_guess.status_code == 429 and "retry-after" in other_guess.headers
        # ... but the same address with a valid credential is served.
        valid = await guesser.get("/v1/api-keys", headers={"Authorization": f"Bearer {token}"})
        assert valid.status_code == 200
        created = await guesser.post(
            "/v1/api-keys", json={"name": "k"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201
        as_key = await guesser.get(
            "/v1/api-keys", headers={"Authorization": f"Bearer {created.json()['key']}"}
        )
        assert as_key.status_code == 200
        # Failed authentications do not throttle verify either.
        verdict = await guesser.post("/v1/api-keys/verify", json={"key": created.json()["key"]})
        assert verdict.status_code == 200 and verdict.json()["valid"] is True


async def test_a_valid_key_verifies_while_its_caller_is_throttled(
    make_app: AppFactory, token: str
) -> None:
    """v1.2: an application checking its users' keys is not knocked out by one bad user."""
    app = make_app(failed_auth_limit=5)
    async with _client(app, "10.3.3.3", token) as owner, _client(app, "10.3.3.3") as checker:
        created = (await owner.post("/v1/api-keys", json={"name": "users"})).json()
        bad = [
            (await checker.post("/v1/api-keys/verify", json={"key": generate_key()})).status_code
            for _ in range(7)
        ]
        assert bad == [200] * 5 + [429] * 2
        good = await checker.post("/v1/api-keys/verify", json={"key": created["key"]})
        assert good.status_code == 200 and good.json()["valid"] is True
        assert good.json()["key_id"] == created["id"]
        # Still throttled for failures: a revoked key is a failure.
        await owner.post(f"/v1/api-keys/{created['id']}/revoke")
        revoked = await checker.post("/v1/api-keys/verify", json={"key": created["key"]})
        assert revoked.status_code == 429 and int(revoked.headers["retry-after"]) >= 1


async def test_the_failure_limit_is_exact_under_concurrency(
    make_app: AppFactory, token: str, backend: str
) -> None:
    """150 well-formed bad credentials at once, spread over two instances on PostgreSQL:
    the shared count is checked and raised in one statement, so exactly `limit` get 401."""
    limit = 30
    apps = [make_app(failed_auth_limit=limit) for _ in range(2 if backend == "postgres" else 1)]
    clients = [_client(app, "10.4.4.4") for app in apps]
    try:

        async def guess(i: int) -> int:
            header = {"Authorization": f"Bearer {generate_token()}"}
            response = await clients[i % len(clients)].get("/v1/account", headers=header)
            return response.status_code

        async def verify(i: int) -> int | bool:
            response = await clients[i % len(clients)].post(
                "/v1/api-keys/verify", json={"key": generate_key()}
            )
            return response.status_code if response.status_code != 200 else response.json()["valid"]

        statuses = await asyncio.gather(*(guess(i) for i in range(150)))
        assert sorted(statuses) == [401] * limit + [429] * (150 - limit)
        verdicts = await asyncio.gather(*(verify(i) for i in range(150)))
        assert verdicts.count(False) == limit and verdicts.count(429) == 150 - limit
    finally:
        for c in clients:
            await c.aclose()
