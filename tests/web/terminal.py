"""Read what a textual-serve websocket shows: its protocol and the terminal text without escapes."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp

# CSI, OSC (BEL- or ST-terminated) and the short ESC sequences Textual writes.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]"
)


def plain(data: bytes) -> str:
    return _ESCAPES.sub(b"", data).decode("utf-8", "replace")


async def read_until(
    ws_url: str,
    wanted: list[str],
    *,
    origin: str | None = None,
    cookie: dict[str, str] | None = None,
    timeout: float = 60,
) -> str:
    """Connect like the browser does, and collect the terminal's text until it holds `wanted`."""
    headers = {"Origin": origin} if origin else {}
    headers |= cookie or {}
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(ws_url + "?width=100&height=30", headers=headers) as ws,
    ):
        # The browser's first message: the terminal's size (["resize", {...}]).
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
        async with asyncio.timeout(timeout):
            while True:
                message = await ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    received += message.data
                    text = plain(received)
                    if all(word in text for word in wanted):
                        await ws.send_str(json.dumps(["stdin", "q"]))
                        return text
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    raise AssertionError(f"the websocket closed; it showed: {plain(received)!r}")
