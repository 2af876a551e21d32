"""Performance guards that are not timings: light imports, paged loading, only visible lines rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ticos_tui.config import Settings, resolve_settings
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import make_app

KEYS = 10_000
# Nothing the UI's first frame needs: the client and the service load in a worker thread.
HEAVY = ("ticos_tui.service", "ticos_tui.client", "starlette", "uvicorn", "sqlite3", "httpx")


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout.split()


@pytest.mark.parametrize("module", ["ticos_tui.cli", "ticos_tui.tui.app"])
def test_import_does_not_load_the_service_or_http(module: str) -> None:
    assert loaded_after(f"import {module}") == []


def test_building_the_app_does_not_load_the_service_or_http() -> None:
    code = (
        "from ticos_tui.config import resolve_settings\n"
        "from ticos_tui.tui.app import make_app\n"
        "make_app(resolve_settings())"
    )
    assert loaded_after(code) == []


@pytest.fixture
def seeded(isolated_env: dict[str, Path]) -> Settings:
    """The local account with 10,000 keys, written through the service's Store in one transaction."""
    from benchmarks._common import seed_data_dir

    data = isolated_env["data"]
    seed_data_dir(data, KEYS)
    return resolve_settings(data_dir=data)


async def test_ten_thousand_keys_load_in_pages_and_render_only_visible_lines(
    seeded: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    original = ApiKeysTable.render_line

    def counting_render_line(self: ApiKeysTable, y: int):  # type: ignore[no-untyped-def]
        rendered.append(y)
        return original(self, y)

    monkeypatch.setattr(ApiKeysTable, "render_line", counting_render_line)
    app = make_app(seeded)
    app.animation_level = "none"
    async with app.run_test(size=(120, 35)) as pilot:
        for _ in range(1500):
            panes = app.screen.query(ApiKeysPane)
            if panes and panes.first().loaded:
                break
            await pilot.pause(0.02)
        pane = app.screen.query_one(ApiKeysPane)
        table = pane.table
        assert pane.loaded and table.total == KEYS

        client = await app.get_client()
        # A screenful first, then pages of at most 1000 keys: never one request for all.
        assert pane.pages_loaded == 1 + -(-(KEYS - 100) // 1000)
        # those pages, plus the account and the selected key's usage
        assert client.request_count <= pane.pages_loaded + 2

        height = app.size.height
        rendered.clear()
        table.refresh()
        await pilot.pause()
        assert 0 < len(rendered) <= height

        rendered.clear()
        await pilot.press("s")  # a sort of all 10,000 keys repaints only what is on screen
        await pilot.pause()
        assert len(rendered) <= 2 * height
