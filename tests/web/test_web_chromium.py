"""A real browser and the web mode's lock: without the token the page gives nothing; the printed
address (with the token) sets the cookie, leaves the address bar clean, and the terminal draws
the keys table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .cdp import Page, chromium
from .conftest import KEY_NAME, WebServer

# textual-serve keeps its xterm.js terminal in a closure; the test's copy of the page script
# also hands it to `window`, so the test can read the lines the terminal shows.
_START = b"const t=new w(e,{ping:r});"
_EXPOSED = b"const t=new w(e,{ping:r});window.ticosTerminal=t.terminal;"
_SCREEN = """(() => {
  const term = window.ticosTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()"""


async def _without_token(page: Page, url: str) -> str:
    await page.send("Page.navigate", url=url + "/")
    async with asyncio.timeout(30):
        while await page.evaluate("document.readyState") != "complete":
            await asyncio.sleep(0.05)  # polling the page until it has loaded
    return str(await page.evaluate("document.body ? document.body.innerText : ''"))


async def _screen_text(server: WebServer, profile: Path) -> tuple[str, int, str, str]:
    async with chromium(profile) as page:
        refused = await _without_token(page, server.url)
        # Without the token: a refusal, and no terminal (textual-serve's script never loads).
        assert "token" in refused and KEY_NAME not in refused, refused[:300]
        assert await page.evaluate("typeof window.ticosTerminal") == "undefined"
        await page.send(
            "Fetch.enable",
            patterns=[
                {"urlPattern": "*/static/js/textual.js", "requestStage": "Response"},
                # The page links a web font; offline, it is refused at once instead of waited for.
                {"urlPattern": "https://fonts.*", "requestStage": "Request"},
            ],
        )
        await page.send("Page.navigate", url=f"{server.url}/?token={server.token}")
        async with asyncio.timeout(90):
            while True:
                event = await page.events.get()
                if event.get("method") != "Fetch.requestPaused":
                    continue
                request_url = event["params"]["request"]["url"]
                if request_url.startswith("https://fonts."):
                    await page.send(
                        "Fetch.failRequest",
                        requestId=event["params"]["requestId"],
                        errorReason="BlockedByClient",
                    )
                    continue
                script = await page.response_body(event)
                assert script.count(_START) == 1, "textual-serve's page script changed"
                await page.fulfil(event, script.replace(_START, _EXPOSED))
                break
            while True:
                text = str(await page.evaluate(_SCREEN) or "")
                if "Your API Keys" in text and KEY_NAME in text:
                    columns = int(await page.evaluate("window.ticosTerminal.cols"))
                    address = str(await page.evaluate("location.href"))
                    cookies = str(await page.evaluate("document.cookie"))
                    return text, columns, address, cookies
                await asyncio.sleep(0.2)  # polling the page until the table is drawn


def test_chromium_needs_the_token_then_draws_the_keys_table(
    web_server: WebServer, tmp_path: Path
) -> None:
    text, columns, address, cookies = asyncio.run(
        _screen_text(web_server, tmp_path / "chromium-profile")
    )
    row = next(line for line in text.splitlines() if KEY_NAME in line)
    assert "active" in row and "never" in row  # the key's row, with its columns
    assert columns > 80  # the terminal was fitted to the browser window, not the 80-column default
    assert address == web_server.url + "/"  # the token left the address bar (and the history)
    assert cookies == ""  # the cookie is HttpOnly: the page's scripts cannot read it
