"""Performance guards that are not timings: light imports, paged loading, only visible lines rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.seeding import seed_sqlite
from tests.tui.fakes import CountingBackend
from tests.tui.helpers import loaded, pane
from ticos_tui.settings.config import Settings, resolve_settings
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import make_app
from ticos_tui.wiring import open_client

KEYS = 10_000
# Nothing the UI's first frame needs: the client and the service load in a worker thread. (The
# CLI's parser reads the service's option constants, ticos_tui.service.run.options: no more.)
HEAVY = (
    "ticos_tui.service.app",
    "ticos_tui.service.store",
    "ticos_tui.service.run.server",
    "ticos_tui.client.http",
    "starlette",
    "uvicorn",
    "sqlite3",
    "httpx",
)


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
        "from ticos_tui.settings.config import resolve_settings\n"
        "from ticos_tui.tui.app import make_app\n"
        "make_app(resolve_settings())"
    )
    assert loaded_after(code) == []


@pytest.fixture
def seeded(isolated_env: dict[str, Path]) -> Settings:
    """The local account with 10,000 keys, written through the service's Store in one transaction."""
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.service.store.sqlite import Store

    data = isolated_env["data"]
    local_session_token(data)
    store = Store(data)
    try:
        account = store.local_account()
        assert account is not None
        seed_sqlite(data, account, [f"key {i}" for i in range(KEYS)])
    finally:
        store.close()
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
    backend = CountingBackend(open_client(seeded))
    app = make_app(seeded, client_factory=lambda: backend)
    app.animation_level = "none"
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot, timeout=60)
        table = pane(app).table
        assert table.total == KEYS

        # A screenful first, then pages of at most 1000 keys: never one request for all.
        assert backend.pages == 1 + -(-(KEYS - 100) // 1000)
        # one walk through those pages, plus the account and the selected key's usage and
        # last events (one request each)
        assert backend.calls["iter_key_pages"] == 1
        assert sum(backend.calls.values()) <= 4

        height = app.size.height
        rendered.clear()
        table.refresh()
        await pilot.pause()
        assert 0 < len(rendered) <= height

        rendered.clear()
        await pilot.press("s")  # a sort of all 10,000 keys repaints only what is on screen
        await pilot.pause()
        assert len(rendered) <= 2 * height
