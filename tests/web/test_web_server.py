"""The TUI in a browser: textual-serve runs it with our settings, and answers only its own address."""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
import pytest

from ticos_tui.cli import web
from ticos_tui.core.errors import UsageError

from .conftest import KEY_NAME, WebServer
from .terminal import read_until


def test_page_and_websocket_show_the_keys_table(web_server: WebServer) -> None:
    page = httpx.get(web_server.url + "/", headers=web_server.cookie, timeout=10)
    assert page.status_code == 200
    ws_url = f"ws://127.0.0.1:{web_server.port}/ws"
    assert ws_url in page.text  # the page's terminal connects back to this server
    text = asyncio.run(
        read_until(
            ws_url,
            ["Your API Keys", KEY_NAME, "1 key"],
            origin=web_server.url,
            cookie=web_server.cookie,
        )
    )
    assert "1 key" in text


def test_another_site_cannot_drive_the_app(web_server: WebServer) -> None:
    # Browsers apply no CORS to websockets: without the Origin check, any page the user
    # visits could open this socket, create a key and read it off the screen.
    async def connect() -> int:
        async with aiohttp.ClientSession() as session:
            try:
                ws = await session.ws_connect(
                    f"ws://127.0.0.1:{web_server.port}/ws",
                    headers={"Origin": "http://evil.example"},
                )
            except aiohttp.WSServerHandshakeError as err:
                return err.status
            await ws.close()
            return 101

    assert asyncio.run(connect()) == 403


def test_dns_rebinding_host_is_refused(web_server: WebServer) -> None:
    answer = httpx.get(
        web_server.url + "/", headers={"Host": f"evil.example:{web_server.port}"}, timeout=10
    )
    assert answer.status_code == 403
    assert "Your API Keys" not in answer.text


def test_the_app_command_carries_settings_but_never_the_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    command = web.app_command(
        base_url="https://api.example.com/v1", data_dir=tmp_path / "a b", timeout=5
    )
    assert "--base-url https://api.example.com/v1" in command
    assert f"'{tmp_path / 'a b'}'" in command  # quoted for the shell textual-serve uses
    assert "--timeout 5" in command
    assert "token" not in command.lower()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.4.5", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert web.is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_a_reachable_host_needs_public(host: str) -> None:
    assert not web.is_loopback(host)
    with pytest.raises(UsageError, match="--public"):
        web.serve_web(host, 8766)


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # an ImportError on import
    with pytest.raises(UsageError) as caught:
        web.serve_web("127.0.0.1", 8766)
    # A command that works as written: this interpreter's pip, whatever the install (issue 20).
    assert f"{sys.executable} -m pip install 'textual-serve" in str(caught.value)
