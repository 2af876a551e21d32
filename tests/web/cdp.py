"""A headless Chromium driven over the DevTools protocol: just what the browser test needs."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

# Debian's chromium, quiet and offline: no sandbox (root in CI), no GPU, no background traffic.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,800",
    "--remote-debugging-port=0",
)


def chromium_path() -> str:
    """The browser; a failure, not a skip, when it is missing (`apt-get install chromium`)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    raise AssertionError("no chromium on PATH: install Debian's package (apt-get install chromium)")


class Page:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._answers:
                self._answers.pop(data["id"]).set_result(data)
            else:
                await self.events.put(data)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[number] = answer
        await self._ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
        data = await answer
        if "error" in data:
            raise AssertionError(f"{method} failed: {data['error']}")
        return dict(data.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def fulfil(self, event: dict[str, Any], body: bytes) -> None:
        params = event["params"]
        await self.send(
            "Fetch.fulfillRequest",
            requestId=params["requestId"],
            responseCode=params.get("responseStatusCode", 200),
            responseHeaders=params.get("responseHeaders", []),
            body=base64.b64encode(body).decode("ascii"),
        )

    async def response_body(self, event: dict[str, Any]) -> bytes:
        body = await self.send("Fetch.getResponseBody", requestId=event["params"]["requestId"])
        raw = body["body"]
        return base64.b64decode(raw) if body.get("base64Encoded") else raw.encode("utf-8")


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Page]:
    """A fresh headless Chromium (profile folder `profile`) and a connection to its blank tab."""
    process = subprocess.Popen(
        [chromium_path(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        async with asyncio.timeout(60):
            while not port_file.exists() or not port_file.read_text().strip():
                if process.poll() is not None:
                    raise AssertionError(f"chromium exited with {process.returncode}")
                await asyncio.sleep(0.1)
        port = port_file.read_text().split()[0]
        async with aiohttp.ClientSession() as session:
            async with asyncio.timeout(60):
                while True:
                    async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                        tabs = [t for t in await answer.json() if t["type"] == "page"]
                    if tabs:
                        break
                    await asyncio.sleep(0.1)
            async with session.ws_connect(tabs[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Page(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
