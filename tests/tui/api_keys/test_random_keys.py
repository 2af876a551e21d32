"""Random key presses against the embedded service: whatever the order, the app never fails."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.message import Message
from textual.worker import Worker, WorkerState

from tests.tui.helpers import wait_until
from ticos_tui.settings.config import Settings, resolve_settings
from ticos_tui.tui.account.menu import AccountMenu
from ticos_tui.tui.account.screen import AccountSettingsScreen
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import make_app
from ticos_tui.wiring import open_client

# Every key the app binds somewhere, plus letters and editing keys that land in inputs.
# `q` and ctrl+c quit, so they are left out: a quit would end the run early, not test it.
KEYS: tuple[str, ...] = (
    *("n", "e", "d", "delete", "r", "slash", "s", "escape", "enter", "y"),
    *("tab", "shift+tab", "up", "down", "c", "o", "v", "question_mark"),
    *("a", "x", "b", "z", "j", "k", "g", "G", "space", "backspace"),
    *("pageup", "pagedown", "home", "end", "ctrl+u"),
)
# Short runs that reach deeper screens than single keys often do (a created key, a rename).
PHRASES: tuple[tuple[str, ...], ...] = (
    ("n", "b", "z", "enter"),
    ("e", "ctrl+u", "x", "enter"),
    ("slash", "b", "enter"),
    ("n", "k", "tab", "space", "tab", "enter"),
)
SEEDED_STEPS = 120  # --slow runs one 8 times as long
SEED_NAMES = ("Nightly Batch Script", "[bold]markup[/] name", "CI deploy 🚀")


async def seed(app_settings: Settings) -> None:
    client = open_client(app_settings)
    try:
        for name in SEED_NAMES:
            await client.create_key(name)
    finally:
        await client.aclose()


async def server_ids(app_settings: Settings) -> set[str]:
    client = open_client(app_settings)
    try:
        return {key.id for key in await client.list_keys()}
    finally:
        await client.aclose()


async def press_randomly(app_settings: Settings, keys: Sequence[str]) -> None:
    """Press `keys` one by one; then close every dialog and check the table against the server."""
    failed: list[Worker[object]] = []

    def watch(message: Message) -> None:
        # Workers run with exit_on_error=False swallow their errors; catch them here instead.
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            failed.append(message.worker)

    app = make_app(app_settings)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24), message_hook=watch) as pilot:
        await wait_until(pilot, lambda: app.screen.query(ApiKeysPane).first(None) is not None)
        for step, key in enumerate(keys):
            in_menu = isinstance(app.screen, AccountMenu)
            await pilot.press(key)
            if not app.is_running and in_menu:
                # "Quit" chosen in the account menu: the one way these keys may end the app.
                assert not failed, f"a worker failed: {failed[0].error!r}"
                assert app.return_code in (0, None)
                return
            assert app.is_running, f"the app stopped at step {step} ({key!r}) of {list(keys)}"
            assert not failed, f"a worker failed at step {step} ({key!r}): {failed[0].error!r}"
        await close_every_dialog(pilot)
        keys_pane = app.screen.query_one(ApiKeysPane)
        await pilot.press("escape")  # leave a filter, if one was typed
        keys_pane.action_clear_filter()
        await pilot.press("r")
        await wait_until(pilot, lambda: keys_pane.loaded and not _loading(app))
        shown = {key.id for key in app.screen.query_one(ApiKeysTable).rows}
        assert shown == await server_ids(app_settings)  # nothing lost, nothing invented
    assert not failed, f"a worker failed: {failed[0].error!r}"
    assert app.return_code in (0, None)


def _loading(app: object) -> bool:
    return any(worker.group == "keys-load" for worker in app.workers)  # type: ignore[attr-defined]


async def close_every_dialog(pilot) -> None:  # type: ignore[no-untyped-def]
    """Back to the main screen: escape closes any dialog; `y` answers "close without copying"."""
    app = pilot.app
    for _ in range(50):
        if isinstance(app.screen, AccountSettingsScreen):
            return
        titles = list(app.screen.query(".dialog-title"))
        text = str(titles[0].render()) if titles else ""
        await pilot.press("y" if "without copying" in text else "escape")
        await pilot.pause()  # the loop checks again: escape may only have closed a dropdown
    raise AssertionError(f"could not get back to the main screen from {app.screen!r}")


@pytest.fixture(autouse=True)
def scratch_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`a` in the key dialog appends to ./.env: keep that file out of the checkout."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


async def test_a_seeded_run_of_random_presses(settings: Settings, copied: list[str]) -> None:
    await seeded_run(settings, SEEDED_STEPS, seed_of_run=7)


@pytest.mark.slow
async def test_a_long_seeded_run_of_random_presses(settings: Settings, copied: list[str]) -> None:
    await seeded_run(settings, 8 * SEEDED_STEPS, seed_of_run=11)


async def seeded_run(settings: Settings, steps: int, *, seed_of_run: int) -> None:
    await seed(settings)
    rng = random.Random(seed_of_run)
    keys: list[str] = []
    while len(keys) < steps:
        keys.extend(rng.choice(PHRASES) if rng.random() < 0.1 else (rng.choice(KEYS),))
    await press_randomly(settings, keys)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.one_of(st.sampled_from(KEYS).map(lambda key: (key,)), st.sampled_from(PHRASES)),
        min_size=10,
        max_size=25,
    )
)
def test_random_key_sequences(steps: list[tuple[str, ...]], copied: list[str]) -> None:
    keys = [key for step in steps for key in step]
    with TemporaryDirectory() as data:  # a fresh service for every example
        app_settings = resolve_settings(data_dir=Path(data))

        async def run() -> None:
            await seed(app_settings)
            await press_randomly(app_settings, keys)

        asyncio.run(run())
