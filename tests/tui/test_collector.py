"""The garbage collector is off from `ticos-tui` until the first frame, and on again after it."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator

import pytest
from textual.widgets import ContentSwitcher

from tests.tui.helpers import wait_until
from ticos_tui.cli import launch
from ticos_tui.settings.config import Settings
from ticos_tui.tui import app as tui_app
from ticos_tui.tui.app import make_app


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.enable()


async def test_the_collector_is_on_again_once_the_first_frame_is_drawn(
    settings: Settings, collector_restored: None
) -> None:
    gc.disable()  # as `ticos-tui` leaves it
    app = make_app(settings, on_ready=launch.collect_from_now_on)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, gc.isenabled)
        # The empty account's view in place before the app quits: quitting while it still
        # mounts raises NoMatches in KeysBody.shown (an exit race of the app, reported).
        body = app.screen.query_one("#keys-body", ContentSwitcher)
        await wait_until(pilot, lambda: body.current == "keys-empty")


async def test_the_app_leaves_the_collector_to_the_process_owner(
    settings: Settings, collector_restored: None
) -> None:
    gc.disable()
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: app.is_running and app.screen.is_mounted)
        await pilot.pause()
        assert not gc.isenabled()


def test_ticos_tui_starts_the_app_with_the_collector_off(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    seen: list[bool] = []

    class Recorder:
        def run(self) -> None:
            seen.append(gc.isenabled())

    monkeypatch.setattr(launch, "settings", lambda args: settings)
    monkeypatch.setattr(tui_app, "make_app", lambda *a, **k: Recorder())
    monkeypatch.setattr(launch, "_end_on_hangup", lambda app: None)
    monkeypatch.setattr(launch, "_has_terminal", lambda: True)
    assert launch.tui(argparse.Namespace(timeout=5.0)) == 0
    assert seen == [False]
