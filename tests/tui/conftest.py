"""TUI fixtures: embedded settings in the test's own data folder, a recording clipboard, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tui.fakes import NOW, FakeClient
from ticos_tui.core.timefmt import Clock
from ticos_tui.settings.config import Settings, resolve_settings
from ticos_tui.tui import clipboard
from ticos_tui.tui.app import TicosApp, make_app


@pytest.fixture
def settings(isolated_env: dict[str, Path]) -> Settings:
    return resolve_settings(data_dir=isolated_env["data"])


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Everything the app copies, instead of the real clipboard."""
    calls: list[str] = []

    async def record(app: object, text: str) -> clipboard.Copied:
        calls.append(text)
        return clipboard.Copied(confirmed=True)

    monkeypatch.setattr(clipboard, "copy_text", record)
    return calls


@pytest.fixture
def fixed_clock() -> Clock:
    """The time the fake keys are dated against: handed to the app as its `clock`."""
    return lambda: NOW


@pytest.fixture
def fake_app(settings: Settings, fixed_clock: Clock) -> Callable[..., TicosApp]:
    def build(client: FakeClient | None = None) -> TicosApp:
        client = client if client is not None else FakeClient()
        app = make_app(settings, client_factory=lambda: client, clock=fixed_clock)
        app.animation_level = "none"
        return app

    return build


@pytest.fixture
def remote_app(isolated_env: dict[str, Path], fixed_clock: Clock) -> Callable[..., TicosApp]:
    """An app whose client talks HTTP to a loopback FaultServer, with no retries."""
    from tests.tui.faultserver import TOKEN, FaultServer
    from ticos_tui.client.http import TicosClient

    def build(server: FaultServer, *, timeout: float = 10.0) -> TicosApp:
        settings = resolve_settings(base_url=server.url, token=TOKEN, data_dir=isolated_env["data"])
        app = make_app(
            settings,
            client_factory=lambda: TicosClient(server.url, TOKEN, timeout=timeout, retries=0),
            clock=fixed_clock,
        )
        app.animation_level = "none"
        return app

    return build
