"""README's devtools command, `textual run --dev ticos_tui.tui.app:make_app`, gets a working app."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

from textual.app import App

from ticos_tui.cli import main


def test_make_app_called_as_textual_run_does(isolated_env: dict[str, Path]) -> None:
    assert main(["keys", "create", "devtools-key"]) == 0
    # textual-dev imports the name and, as it is not an App instance, calls it with no arguments.
    from ticos_tui.tui.app import make_app as app

    assert not isinstance(app, App)
    instance = app()
    assert isinstance(instance, App)

    async def drawn() -> str:
        async with instance.run_test(size=(120, 30)) as pilot, asyncio.timeout(60):
            while "devtools-key" not in instance.export_screenshot():
                await pilot.pause(0.1)  # polling until the keys are drawn
            return instance.export_screenshot()

    # The SVG writes spaces as non-breaking ones.
    assert "Your API Keys" in html.unescape(asyncio.run(drawn())).replace("\xa0", " ")
