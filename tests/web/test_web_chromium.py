"""A real browser loads the web mode's page and its terminal draws the keys table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .cdp import chromium
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


async def _screen_text(url: str, profile: Path) -> tuple[str, int]:
    async with chromium(profile) as page:
        await page.send(
            "Fetch.enable",
            patterns=[
                {"urlPattern": "*/static/js/textual.js", "requestStage": "Response"},
                # The page links a web font; offline, it is refused at once instead of waited for.
                {"urlPattern": "https://fonts.*", "requestStage": "Request"},
            ],
        )
        await page.send("Page.navigate", url=url + "/")
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
                    return text, columns
                await asyncio.sleep(0.2)  # polling the page until the table is drawn


def test_chromium_draws_the_keys_table(web_server: WebServer, tmp_path: Path) -> None:
    text, columns = asyncio.run(_screen_text(web_server.url, tmp_path / "chromium-profile"))
    row = next(line for line in text.splitlines() if KEY_NAME in line)
    assert "active" in row and "never" in row  # the key's row, with its columns
    assert columns > 80  # the terminal was fitted to the browser window, not the 80-column default
