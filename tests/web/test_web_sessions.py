"""Bounded sessions (issue 19, item 3): a cap on sessions and on terminal sizes, children that end
with their socket, half-sent requests cut, malformed frames logged on one line.

The sessions run tests/web/probe.py instead of the TUI: the server code is the shipped one.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from ticos_tui.cli.web.sessions import MAX_COLUMNS, MAX_ROWS

from .conftest import WebServer, descendants


async def next_message(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The probe's next report (a JSON data packet)."""
    async with asyncio.timeout(30):
        message = await ws.receive()
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return dict(json.loads(message.data))


async def gone(pid: int) -> bool:
    """Wait (up to 20 s) until process `pid` has ended and been reaped."""
    async with asyncio.timeout(20):
        while Path(f"/proc/{pid}").exists():
            await asyncio.sleep(0.05)  # polling /proc for the process's end
    return True


def connect(
    session: aiohttp.ClientSession, server: WebServer, query: str = ""
) -> Any:  # the ws_connect context manager
    return session.ws_connect(f"ws://127.0.0.1:{server.port}/ws{query}", headers=server.cookie)


def test_sessions_are_capped(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web(max_sessions=2)

    async def attack() -> None:
        async with aiohttp.ClientSession() as session:
            first = await connect(session, server)
            second = await connect(session, server)
            pid = (await next_message(first))["pid"]
            await next_message(second)
            try:
                third = await connect(session, server)
            except aiohttp.WSServerHandshakeError as err:
                assert err.status == 503
            else:
                await third.close()
                raise AssertionError("a third session opened past --max-sessions 2")
            assert len(descendants(server.process.pid)) == 2
            await first.close()
            assert await gone(pid)
            async with asyncio.timeout(20):
                while True:  # the closed session's place is free once its child has ended
                    try:
                        again = await connect(session, server)
                        break
                    except aiohttp.WSServerHandshakeError as err:
                        assert err.status == 503
                        await asyncio.sleep(0.05)  # waiting for the server to release the slot
            assert "pid" in await next_message(again)
            await again.close()
            await second.close()

    asyncio.run(attack())


def test_the_terminal_size_is_clamped(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web()

    async def attack() -> None:
        async with aiohttp.ClientSession() as session:
            async with connect(session, server, "?width=6000&height=3000") as ws:
                assert (await next_message(ws))["size"] == [MAX_COLUMNS, MAX_ROWS]
                await ws.send_str(json.dumps(["resize", {"width": 6000, "height": 3000}]))
                assert (await next_message(ws))["size"] == [MAX_COLUMNS, MAX_ROWS]
                await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                assert (await next_message(ws))["size"] == [100, 30]
            async with connect(session, server, "?width=-5&height=1e9") as ws:
                assert (await next_message(ws))["size"] == [80, 24]

    asyncio.run(attack())


def test_a_stubborn_child_ends_with_its_socket(probe_web: Callable[..., WebServer]) -> None:
    # The child ignores the quit request, the end of its input and SIGTERM: SIGKILL ends it.
    server = probe_web(stubborn=True)

    async def attack() -> None:
        async with aiohttp.ClientSession() as session:
            async with connect(session, server) as ws:
                pid = (await next_message(ws))["pid"]
                await ws.send_str(json.dumps(["stdin", "n"]))
                assert (await next_message(ws))["stdin"] == "n"
            assert await gone(pid)
        assert descendants(server.process.pid) == []

    asyncio.run(attack())


def test_a_half_sent_request_is_cut_off(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web(header_timeout=0.5)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as half_sent:
        half_sent.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        assert half_sent.recv(1024) == b""  # closed by the server (a timeout raises instead)


def test_malformed_frames_are_logged_on_one_line(probe_web: Callable[..., WebServer]) -> None:
    server = probe_web()
    frames = ["hello{", '["stdin",5]', '["resize",{"width":"x"}]', "[]", '{"a": 1}']

    async def attack() -> None:
        async with aiohttp.ClientSession() as session, connect(session, server) as ws:
            await next_message(ws)
            for frame in frames:
                await ws.send_str(frame)
            await ws.send_str(json.dumps(["stdin", "still here"]))
            assert (await next_message(ws))["stdin"] == "still here"  # the session lives on

    asyncio.run(attack())
    log = server.log.read_text()
    assert "Traceback" not in log and "locals" not in log
    assert log.count("malformed frame") == len(frames)
    assert "hello{" not in log  # what was typed is not logged
