"""The web mode's lock (issue 19, items 1 and 2): another local user gets nothing without the token.

Each test is an attack from the issue: a request without the secret (page, asset, websocket),
a page of another origin framing the app, the token leaking into the log or a process's
arguments or environment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import httpx
import pytest

from ticos_tui.cli.web.guard import SECURITY_HEADERS, TOKEN_ENV, load_token
from ticos_tui.core.errors import UsageError

from .conftest import KEY_NAME, WebServer, descendants, start_web, stop
from .terminal import read_until

PATHS = ["/", "/static/js/textual.js", "/download/anything", "/ws"]


async def ws_status(url: str, headers: dict[str, str]) -> int:
    """The websocket handshake's answer: 101 when a session opened, else the refusal's status."""
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(url, headers=headers)
        except aiohttp.WSServerHandshakeError as err:
            return err.status
        await ws.close()
        return 101


def test_the_printed_address_sets_a_strict_cookie_and_redirects(
    probe_web: Callable[..., WebServer],
) -> None:
    server = probe_web()
    assert server.errors.read_text().count(server.token) == 1  # printed once, in the address
    assert len(server.token) >= 43  # secrets.token_urlsafe(32)
    first = httpx.get(f"{server.url}/?token={server.token}&fontsize=18", timeout=10)
    assert first.status_code == 303
    assert first.headers["Location"] == "/?fontsize=18"  # the token leaves the address bar
    cookie = first.headers["Set-Cookie"]
    assert f"ticos_web_{server.port}={server.token}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = httpx.get(f"{server.url}/", cookies=first.cookies, timeout=10)
    assert page.status_code == 200 and "/ws" in page.text


def test_without_the_secret_nothing_answers(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web()
    wrong = {
        "nothing": {},
        "a wrong cookie": {"Cookie": f"ticos_web_{server.port}=x{server.token[1:]}"},
        "another port's cookie name": {"Cookie": f"ticos_web_1={server.token}"},
    }
    for path in PATHS:
        for what, headers in wrong.items():
            answer = httpx.get(server.url + path, headers=headers, timeout=10)
            assert answer.status_code == 403, (path, what)
            assert "/ws" not in answer.text, (path, what)  # not the page
        for bad in ("wrong", server.token[:-1], "%C3%A9", ""):
            answer = httpx.get(f"{server.url}{path}?token={bad}", timeout=10)
            assert answer.status_code == 403, (path, bad)  # not 500: compare_digest on bytes
    ws_url = f"ws://127.0.0.1:{server.port}/ws"
    assert asyncio.run(ws_status(ws_url, {"Origin": server.url})) == 403
    assert asyncio.run(ws_status(ws_url + "?token=wrong", {})) == 403
    assert descendants(server.process.pid) == []  # no TUI child was started
    # The legitimate client still gets in, with the cookie or with the token.
    assert asyncio.run(ws_status(ws_url, server.cookie)) == 101
    assert asyncio.run(ws_status(f"{ws_url}?token={server.token}", {})) == 101


def test_every_response_forbids_framing(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web()
    answers = [
        httpx.get(f"{server.url}/?token={server.token}", timeout=10),  # 303
        httpx.get(f"{server.url}/", headers=server.cookie, timeout=10),  # 200, the page
        httpx.get(f"{server.url}/static/js/textual.js", headers=server.cookie, timeout=10),
        httpx.get(f"{server.url}/nothing-here", headers=server.cookie, timeout=10),  # 404
        httpx.get(f"{server.url}/", timeout=10),  # 403
    ]
    assert [answer.status_code for answer in answers] == [303, 200, 200, 404, 403]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (answer.url, name)


def test_the_access_log_has_no_query_strings(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web()
    httpx.get(f"{server.url}/?token={server.token}", timeout=10)
    httpx.get(f"{server.url}/?token=guessed-token-value", timeout=10)
    httpx.get(f"{server.url}/?fontsize=private-query", headers=server.cookie, timeout=10)
    stop(server)  # flushes the log
    log = server.log.read_text()
    assert "GET / 303" in log and "GET / 403" in log and "GET / 200" in log
    for secret in (server.token, "guessed-token-value", "private-query", "token="):
        assert secret not in log


def test_a_token_from_the_environment_is_not_inherited(
    probe_web: Callable[..., WebServer],
) -> None:
    token = "environment-token-" + "x" * 30
    server = probe_web(env={**os.environ, TOKEN_ENV: token})
    assert server.token == token
    ws_url = f"ws://127.0.0.1:{server.port}/ws"

    async def check_child() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(ws_url, headers=server.cookie) as ws,
        ):
            await ws.receive()  # the child has started
            children = descendants(server.process.pid)
            assert children
            for pid in children:
                assert token.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
                assert token.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()

    asyncio.run(check_child())


def test_a_token_file_is_used_and_never_in_any_process_arguments(
    web_env: dict[str, str], tmp_path: Path
) -> None:
    token_file = tmp_path / "web-token"
    token = "file-token-" + "y" * 40
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    from tests.client.fakeserver import free_port

    port = free_port()
    argv = [sys.executable, "-m", "ticos_tui", "web", "--port", str(port)]
    argv += ["--token-file", str(token_file)]
    server = start_web(argv, port, web_env, tmp_path / "w")
    try:
        assert server.token == token
        seen: list[bytes] = []

        async def on_screen() -> None:
            # While the TUI shows the table, look at every process's arguments and environment.
            await read_until(f"ws://127.0.0.1:{port}/ws", [KEY_NAME], cookie=server.cookie)

        async def watch() -> None:
            task = asyncio.ensure_future(on_screen())
            while not task.done():
                for pid in [server.process.pid, *descendants(server.process.pid)]:
                    try:
                        seen.append(Path(f"/proc/{pid}/cmdline").read_bytes())
                        if pid != server.process.pid:
                            seen.append(Path(f"/proc/{pid}/environ").read_bytes())
                    except OSError:
                        continue
                await asyncio.wait([task], timeout=0.2)  # or until the table is drawn
            await task

        asyncio.run(watch())
    finally:
        stop(server)
    assert any(b"ticos_tui\x00--data-dir" in args or b"-m\x00ticos_tui" in args for args in seen)
    assert not [args for args in seen if token.encode() in args]
    assert token not in server.log.read_text()


@pytest.mark.parametrize(
    ("mode", "text", "wanted"),
    [(0o644, "z" * 40, "chmod 600"), (0o600, "short", "at least 16"), (0o600, "", "at least")],
)
def test_a_bad_token_file_is_refused(tmp_path: Path, mode: int, text: str, wanted: str) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(text)
    token_file.chmod(mode)
    with pytest.raises(UsageError, match=wanted):
        load_token(token_file, {})
    with pytest.raises(UsageError, match="cannot read"):
        load_token(tmp_path / "missing", {})
