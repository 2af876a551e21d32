"""Ending session tokens (contract v1.1): DELETE /v1/session, and a new local token ends the old ones."""

from __future__ import annotations

from pathlib import Path

import httpx

from ticos_tui.service.bootstrap import ensure_local_token, token_path

from .conftest import ClientFactory, create_key


async def test_delete_session_ends_the_calling_token(
    make_client: ClientFactory, token: str, other_token: str
) -> None:
    own = make_client(token)
    assert (await own.get("/v1/account")).status_code == 200
    ended = await own.delete("/v1/session")
    assert ended.status_code == 204 and ended.content == b""
    after = await own.get("/v1/api-keys")
    assert after.status_code == 401 and after.headers["www-authenticate"] == "Bearer"
    assert (await own.delete("/v1/session")).status_code == 401
    # Another session (another account here) is untouched.
    assert (await make_client(other_token).get("/v1/account")).status_code == 200


async def test_an_api_key_cannot_end_a_session(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    for scopes in (["*"], ["api_keys:read"]):
        key = make_client((await create_key(client, "k", scopes=scopes))["key"])
        refused = await key.delete("/v1/session")
        assert refused.status_code == 403 and "session token" in refused.json()["detail"]
        assert (await key.get("/v1/api-keys")).status_code == 200
    assert (await client.get("/v1/account")).status_code == 200
    assert (await make_client().delete("/v1/session")).status_code == 401


async def test_new_local_token_revokes_the_earlier_ones(
    data_dir: Path, token: str, other_token: str, make_client: ClientFactory, app
) -> None:
    store, path = app.state.store, token_path(data_dir)
    assert await ensure_local_token(store, path) == token  # the file is reused while valid
    path.unlink()
    fresh = await ensure_local_token(store, path)
    assert fresh != token
    old = await make_client(token).get("/v1/account")
    assert old.status_code == 401
    assert (await make_client(fresh).get("/v1/account")).status_code == 200
    # Other accounts' sessions are not the local account's: they keep working.
    assert (await make_client(other_token).get("/v1/account")).status_code == 200
