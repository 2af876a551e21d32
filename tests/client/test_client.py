"""The client against the embedded service, and every failure translated to a TicosError."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ticos_tui.client.http import TicosClient
from ticos_tui.core import errors
from ticos_tui.core.keyformat import is_well_formed_key
from ticos_tui.settings.config import resolve_settings
from ticos_tui.wiring import open_client

from .fakeserver import CountingTransport, fake_server, free_port, json_reply

TOKEN = "tst_" + "S" * 43
BASE = "http://api.example.test/v1"


def mock_client(handler, **kw) -> TicosClient:  # type: ignore[no-untyped-def]
    return TicosClient(BASE, TOKEN, transport=httpx.MockTransport(handler), **kw)


def key_json(i: int, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": f"key_{i}",
        "name": f"key {i}",
        "snippet": "tk_AbC1…wXyZ",
        "status": "active",
        "scopes": ["*"],
        "created_at": "2026-11-26T20:12:53Z",
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }
    data.update(over)
    return data


@pytest.fixture
async def embedded(tmp_path: Path):  # type: ignore[no-untyped-def]
    client = open_client(resolve_settings(data_dir=tmp_path / "svc"))
    async with client:
        yield client


async def test_every_endpoint_embedded(embedded: TicosClient) -> None:
    assert await embedded.healthz()
    account = await embedded.account()
    assert account.email
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    created = await embedded.create_key("ci", scopes=["api_keys:read"], expires_at=expires)
    assert is_well_formed_key(created.key)
    assert created.key not in repr(created)
    key = created.api_key
    assert key.scopes == ("api_keys:read",) and key.expires_at == expires
    assert (await embedded.get_key(key.id)).name == "ci"
    assert (await embedded.rename_key(key.id, "ci [b]x[/b]")).name == "ci [b]x[/b]"
    verified = await embedded.verify(created.key)
    assert verified.valid and verified.key_id == key.id
    days = await embedded.usage(key.id, days=7)
    assert len(days) == 7 and sum(d.requests for d in days) >= 1
    rolled = await embedded.roll_key(key.id, grace_seconds=3600)
    assert rolled.api_key.name == "ci [b]x[/b]" and rolled.key != created.key
    assert (await embedded.revoke_key(rolled.api_key.id)).status == "revoked"
    assert not (await embedded.verify(rolled.key)).valid
    await embedded.delete_key(key.id)
    with pytest.raises(errors.NotFound):
        await embedded.get_key(key.id)
    assert [k.id for k in await embedded.list_keys(status="revoked")] == [rolled.api_key.id]


async def test_pagination_follows_cursors(tmp_path: Path) -> None:
    from ticos_tui.service import create_app
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.settings.config import EMBEDDED_BASE_URL

    data = tmp_path / "svc"
    token = local_session_token(data)
    transport = CountingTransport(httpx.ASGITransport(app=create_app(data)))
    async with TicosClient(EMBEDDED_BASE_URL, token, transport=transport) as client:
        for i in range(7):
            await client.create_key(f"k{i}")
        before = transport.count
        pages = [page async for page in client.iter_key_pages(page_size=3)]
        assert [len(p) for p in pages] == [3, 3, 1]
        assert transport.count - before == 3
        names = [k.name for k in await client.list_keys(page_size=2)]
    assert names == [f"k{i}" for i in reversed(range(7))]


async def test_ids_cannot_escape_the_keys_path(embedded: TicosClient) -> None:
    for bad in ("..", "../account", "%2e%2e", "key_x/../../account", "a?b#c"):
        with pytest.raises(errors.NotFound):
            await embedded.get_key(bad)
    with pytest.raises(errors.UsageError):
        await embedded.get_key("")


async def test_ids_are_percent_encoded_in_the_url() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json=key_json(1))

    async with mock_client(handler) as client:
        await client.get_key("../../account?x=1")
    assert seen == ["/v1/api-keys/%2E%2E%2F%2E%2E%2Faccount%3Fx%3D1"]


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "words"),
    [
        (401, {"detail": "missing credential"}, {}, errors.AuthenticationFailed, ["missing"]),
        (401, {"detail": "revoked key"}, {}, errors.AuthenticationFailed, ["revoked"]),
        (401, {"detail": "expired key"}, {}, errors.AuthenticationFailed, ["expired"]),
        (
            403,
            {"detail": "this key lacks api_keys:write"},
            {},
            errors.PermissionDenied,
            ["api_keys:write"],
        ),
        (
            404,
            {"detail": "no such API key"},
            {},
            errors.NotFound,
            ["no API key with id key_1", "keys list"],
        ),
        (
            422,
            {"detail": "name: must not be empty"},
            {},
            errors.ValidationFailed,
            ["name: must not be empty"],
        ),
        (413, {"detail": "body too large"}, {}, errors.BadRequest, ["too large"]),
        (
            429,
            {"detail": "slow down"},
            {"Retry-After": "17"},
            errors.RateLimited,
            ["retry after 17 s"],
        ),
        (503, {"detail": "maintenance"}, {}, errors.ServerError, ["HTTP 503", "try again"]),
        (409, {"detail": "conflict"}, {}, errors.Conflict, ["current state", "conflict"]),
    ],
)
async def test_statuses_become_actionable_errors(
    status: int, body: dict[str, str], headers: dict[str, str], kind: type, words: list[str]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    async with mock_client(handler, retries=0) as client:
        with pytest.raises(kind) as caught:
            await client.get_key("key_1")
    message = str(caught.value)
    for word in words:
        assert word in message
    assert "\n" not in message and TOKEN not in message
    if status == 401:
        assert "TICOS_TOKEN" in message and f"ticos-tui login --base-url {BASE}" in message
    if status == 429:
        assert caught.value.retry_after == 17


async def test_secrets_in_a_detail_are_redacted() -> None:
    key = "tk_" + "A" * 38

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": f"bad {TOKEN} and {key}\n\x1b[2J"})

    async with mock_client(handler) as client:
        with pytest.raises(errors.ValidationFailed) as caught:
            await client.create_key("x")
    assert TOKEN not in str(caught.value) and key not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (
            httpx.Response(200, text="<html>hi</html>", headers={"Content-Type": "text/html"}),
            ["did not answer with the Ticos API", "text/html"],
        ),
        (
            httpx.Response(200, text="{nope", headers={"Content-Type": "application/json"}),
            ["malformed"],
        ),
        (httpx.Response(200, json={"data": "x"}), ["not the contract's shape"]),
        (httpx.Response(200, json=[1, 2]), ["not the contract's shape"]),
        (httpx.Response(302, headers={"Location": "https://elsewhere/"}), ["redirect"]),
    ],
)
async def test_not_the_api_is_a_protocol_error(response: httpx.Response, words: list[str]) -> None:
    async with mock_client(lambda request: response) as client:
        with pytest.raises(errors.ProtocolError) as caught:
            await client.list_keys_page()
    for word in words:
        assert word in str(caught.value)


async def test_a_repeating_cursor_stops_pagination() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [key_json(1)], "next_cursor": "same"})

    async with mock_client(handler) as client:
        with pytest.raises(errors.ProtocolError, match="same page cursor"):
            await client.list_keys()


async def test_reads_retry_but_writes_do_not() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(500, json={"detail": "boom"})

    async with mock_client(handler, retries=2) as client:
        with pytest.raises(errors.ServerError):
            await client.list_keys_page()
        assert calls == ["GET"] * 3
        calls.clear()
        with pytest.raises(errors.ServerError):
            await client.create_key("x")
        assert calls == ["POST"]


async def test_a_read_recovers_from_one_failure() -> None:
    answers = [httpx.Response(502), httpx.Response(200, json={"status": "ok"})]
    async with mock_client(lambda request: answers.pop(0)) as client:
        assert await client.healthz()
    assert answers == []  # both were asked for


async def test_verify_sends_no_credential_and_the_token_is_never_in_a_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/verify"):
            return httpx.Response(200, json={"valid": False, "reason": "revoked"})
        return httpx.Response(200, json={"data": [], "next_cursor": None})

    async with mock_client(handler) as client:
        assert repr(client) == f"TicosClient(base_url='{BASE}')"
        result = await client.verify("tk_" + "B" * 38)
        await client.list_keys()
    assert result.reason == "revoked" and not result.valid
    assert "authorization" not in seen[0].headers
    assert seen[1].headers["authorization"] == f"Bearer {TOKEN}"
    assert all(TOKEN not in str(r.url) for r in seen)
    assert json.loads(seen[0].content) == {"key": "tk_" + "B" * 38}


async def test_connection_refused_names_the_url_and_what_to_do() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    transport = CountingTransport(httpx.AsyncHTTPTransport())
    async with TicosClient(url, TOKEN, retries=1, transport=transport) as client:
        with pytest.raises(errors.ConnectionFailed) as caught:
            await client.account()
    assert transport.count == 2
    assert url in str(caught.value) and "ticos-tui serve" in str(caught.value)


async def test_slow_server_times_out_after_the_timeout() -> None:
    with fake_server(lambda m, p: json_reply(200, {"status": "ok"}), delay=5) as url:
        transport = CountingTransport(httpx.AsyncHTTPTransport())
        async with TicosClient(url, TOKEN, timeout=0.3, transport=transport) as client:
            with pytest.raises(errors.RequestTimedOut, match=re.escape("within 0.3 s")):
                await client.healthz()
        assert transport.count == 1  # a slow server is not asked again


async def test_dropped_connection_is_a_connection_failure() -> None:
    with fake_server(lambda m, p: None) as url:
        async with TicosClient(url, TOKEN, retries=0) as client:
            with pytest.raises(errors.ConnectionFailed):
                await client.account()


async def test_a_cut_answer_says_so_and_that_a_write_may_have_happened() -> None:
    from tests.tui.faultserver import CUT, TOKEN, fault_server
    from ticos_tui.client.http import TicosClient
    from ticos_tui.core.errors import ConnectionFailed

    with fault_server() as server:
        server.mode = CUT
        client = TicosClient(server.url, TOKEN, timeout=2, retries=0)
        try:
            with pytest.raises(ConnectionFailed) as read_err:
                await client.list_keys()
            with pytest.raises(ConnectionFailed) as write_err:
                await client.create_key("x")
        finally:
            await client.aclose()
    assert "closed the connection before its answer was complete" in str(read_err.value)
    assert "may or may not have been made" not in str(read_err.value)
    assert "may or may not have been made" in str(write_err.value)
    assert "cannot connect" not in str(write_err.value)
