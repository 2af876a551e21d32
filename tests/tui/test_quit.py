"""ctrl+c quits from the main screen (as in k9s, lazygit, htop, Posting); in an input it copies."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, wait_until
from ticos_tui.tui.app import TicosApp

AppFactory = Callable[..., TicosApp]


async def test_ctrl_c_on_the_main_screen_quits(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)


async def test_ctrl_c_in_the_filter_input_does_not_quit(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"web")
        field = pane(app).query_one("#keys-filter")
        await wait_until(pilot, lambda: app.focused is field)
        await pilot.press("ctrl+c")
        await pilot.press("x")  # handled only if the app still runs
        await wait_until(pilot, lambda: field.value == "webx")
        assert app.is_running
