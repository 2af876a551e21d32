"""Fixtures for the service tests: an app on each store (SQLite, PostgreSQL) and clients for it.

`backend` is parametrised, so every test that uses `app`, `token` or `client` runs on both
stores; a module about one store alone pins it with `pytestmark =
pytest.mark.parametrize("backend", ["sqlite"])`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ticos_tui.service import create_app
from ticos_tui.service.bootstrap import (
    create_account,
    ensure_local_token,
    local_session_token,
    token_path,
)
from ticos_tui.service.store.factory import open_store

ClientFactory = Callable[..., httpx.AsyncClient]
AppFactory = Callable[..., Starlette]


@pytest.fixture
def data_dir(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["data"]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite (in the data folder); else a URL to an empty PostgreSQL schema."""
    if backend == "sqlite":
        yield None
        return
    with request.getfixturevalue("postgres").scratch_url() as url:
        yield url


@pytest.fixture
def token(data_dir: Path, database_url: str | None) -> str:
    """The local account's session token (its file in the data folder), on either store."""
    if database_url is None:
        return local_session_token(data_dir)

    async def bootstrap() -> str:
        store = open_store(data_dir, database_url)
        try:
            return await ensure_local_token(store, token_path(data_dir))
        finally:
            await store.close()

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return asyncio.run(bootstrap())


@pytest.fixture
async def make_app(
    data_dir: Path, database_url: str | None
) -> AsyncIterator[Callable[..., Starlette]]:
    """Apps over the test's store (`create_app` options as keywords); closed afterwards."""
    apps: list[Starlette] = []

    def factory(**options: object) -> Starlette:
        app = create_app(data_dir, database_url=database_url, **options)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await app.state.store.close()


@pytest.fixture
def app(make_app: Callable[..., Starlette], token: str) -> Starlette:
    return make_app()


@pytest.fixture
async def make_client(app: Starlette) -> AsyncIterator[ClientFactory]:
    """Clients of `app` with a given credential and client address (for the throttle)."""
    clients: list[httpx.AsyncClient] = []

    def factory(credential: str | None = None, address: str = "127.0.0.1") -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        client = httpx.AsyncClient(
            transport=transport, base_url="http://ticos.test", headers=headers
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory, token: str) -> httpx.AsyncClient:
    return make_client(token)


@pytest.fixture
def other_token(data_dir: Path, app: Starlette, database_url: str | None) -> str:
    """Account B's session token, in the same database."""
    return create_account(data_dir, "Bea", "bea@example.com", database_url=database_url)[1]


async def create_key(client: httpx.AsyncClient, name: str = "k", **fields: object) -> dict:
    response = await client.post("/v1/api-keys", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return response.json()


class MovingClock:
    """The wall clock plus an offset a test moves: time passes for the app without waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def client_of(app: Starlette, credential: str | None = None, address: str = "127.0.0.1"):
    """A client of `app` (close it: `async with`) with a credential, from a client address."""
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://ticos.test", headers=headers)
