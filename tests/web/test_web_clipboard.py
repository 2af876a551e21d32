"""In the browser, copying goes to the browser's clipboard (OSC 52 over the web terminal), never the server's.

Needs the clipboard change in the i15 report (ticos_tui/tui/clipboard.py: `app.is_web` first);
fails until then: the server's clipboard tool receives the text.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
import sys
from pathlib import Path

import aiohttp

from tests.client.fakeserver import free_port

from .conftest import KEY_NAME, start_web, stop
from .terminal import plain


def fake_wayland_clipboard(folder: Path) -> Path:
    """wl-copy / wl-paste stand-ins on PATH: pyperclip would use them as the server's clipboard."""
    folder.mkdir()
    record = folder / "server-clipboard.txt"
    for name, body in (("wl-copy", f'cat > "{record}"\n'), ("wl-paste", f'cat "{record}"\n')):
        tool = folder / name
        tool.write_text("#!/bin/sh\n" + body)
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return record


async def copy_in_browser(ws_url: str, origin: str, cookie: dict[str, str]) -> bytes:
    """Wait for the key's row, press `c` (copy its id), return the stream until it says "Copied"."""
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            ws_url + "?width=100&height=30", headers={"Origin": origin, **cookie}
        ) as ws,
        asyncio.timeout(60),
    ):
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
        pressed = False
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.BINARY, plain(received)
            received += message.data
            if not pressed and KEY_NAME in plain(received):
                await ws.send_str(json.dumps(["stdin", "c"]))
                pressed = True
            # The app writes the OSC 52 before the notification that reports it.
            if pressed and "clipboard" in plain(received):
                await ws.send_str(json.dumps(["stdin", "q"]))
                return received


def test_copy_in_the_browser_uses_the_browser_clipboard(
    web_env: dict[str, str], tmp_path: Path
) -> None:
    record = fake_wayland_clipboard(tmp_path / "bin")
    env = {
        **web_env,
        "WAYLAND_DISPLAY": "wayland-test",
        "PATH": f"{record.parent}{os.pathsep}{web_env['PATH']}",
    }
    port = free_port()
    code = f"import sys; from ticos_tui.cli.web import serve_web; sys.exit(serve_web(port={port}))"
    server = start_web([sys.executable, "-c", code], port, env, tmp_path / "web")
    try:
        stream = asyncio.run(
            copy_in_browser(f"ws://127.0.0.1:{port}/ws", server.url, server.cookie)
        )
    finally:
        stop(server)
    assert not record.exists(), "the id went to the server's clipboard"
    assert b"\x1b]52;c;" in stream
    osc = stream.split(b"\x1b]52;c;", 1)[1].split(b"\x07", 1)[0]
    assert base64.b64decode(osc).decode().startswith("key_")  # the id, to the browser
    assert "browser" in plain(stream)  # the message says where it went
