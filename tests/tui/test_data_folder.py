"""The TUI started on a data folder others can write to says why it can't use it, and leaves it alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ticos_tui.settings.config import resolve_settings
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.app import make_app

from .helpers import wait_until


async def test_a_shared_data_folder_is_refused_in_words(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # noqa: S103 - a shared /tmp-like folder is the attack
    app = make_app(resolve_settings(data_dir=shared))
    app.animation_level = "none"
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(ApiKeysPane).first(None) is not None)
        pane = app.screen.query_one(ApiKeysPane)
        await wait_until(pilot, lambda: pane.query_one("#keys-body").current == "keys-error")
        message = " ".join(str(pane.query_one("#keys-error-message").render()).split())
        assert f"the data folder {shared} can be written by other users (mode 1777)" in message
        assert "choose a folder only you can write to" in message
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert list(shared.iterdir()) == []
