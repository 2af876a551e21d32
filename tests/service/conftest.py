"""Fixtures for the service tests: an app on a private data folder and clients for it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ticos_tui.service import create_app
from ticos_tui.service.bootstrap import create_account, local_session_token

ClientFactory = Callable[..., httpx.AsyncClient]

# The crash and load tests reuse the benchmarks' helpers for a served instance.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture
def data_dir(isolated_env: dict[str, Path]) -> Path:
    return isolated_env["data"]


@pytest.fixture
def token(data_dir: Path) -> str:
    return local_session_token(data_dir)


@pytest.fixture
def app(data_dir: Path, token: str) -> Starlette:
    return create_app(data_dir)


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
def other_token(data_dir: Path, app: Starlette) -> str:
    """Account B's session token, in the same database."""
    return create_account(data_dir, "Bea", "bea@example.com")[1]


async def create_key(client: httpx.AsyncClient, name: str = "k", **fields: object) -> dict:
    response = await client.post("/v1/api-keys", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return response.json()
