"""In a browser, the .env dialog says the file is written on the server's disk: host and full path."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import ticos_tui.tui.app as app_module
from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, wait_until
from ticos_tui.core.timefmt import Clock
from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.env_file import EnvFileDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.app import TicosApp


class WebApp(TicosApp):
    """The app as textual-serve runs it: its terminal is a browser page, its disk the server's."""

    CSS_PATH = str(Path(app_module.__file__).parent / TicosApp.CSS_PATH)

    @property
    def is_web(self) -> bool:
        return True


def dialog_text(dialog: EnvFileDialog) -> str:
    return " ".join(" ".join(str(s.render()) for s in dialog.query("Static, Label")).split())


@pytest.mark.parametrize("web", [True, False])
async def test_env_dialog_names_the_servers_disk_in_a_browser(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fixed_clock: Clock,
    web: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    client = FakeClient(sample_keys())
    app = (WebApp if web else TicosApp)(settings, client_factory=lambda: client, clock=fixed_clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"web key", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, EnvFileDialog))
        await pilot.pause()
        text = dialog_text(app.screen)
        where = str(tmp_path / ".env")
        if web:
            assert f"on the server {socket.gethostname()}, at {where}, not on your computer" in text
        else:
            assert "server" not in text
