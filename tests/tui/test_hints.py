"""The bottom line shows the keys that work now: the dialog's in a dialog, the input's while typing."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, wait_until
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog
from ticos_tui.tui.hints import KeyHints

AppFactory = Callable[..., TicosApp]


def hints(app: TicosApp) -> str:
    """The hints line of the screen on top, as drawn."""
    line = app.screen.query_one(KeyHints)
    return " ".join(str(line.render())[: line.size.width].split())


async def test_help_quit_and_commands_are_never_dropped_at_80_columns(
    fake_app: AppFactory,
) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.pause()
        shown = hints(app)
        for hint in ("? Help", "q Quit", "^p Commands"):
            assert hint in shown
        assert "…" not in shown  # whole hints are left out, none cut mid-word


async def test_a_dialog_shows_its_own_keys(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.pause()
        shown = hints(app)
        for hint in ("y Revoke", "esc Cancel", "⏎ Press the focused button", "tab"):
            assert hint in shown
        assert "Rename" not in shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        await pilot.pause()
        shown = hints(app)
        for hint in ("⏎ Create", "esc Cancel", "tab Next field"):
            assert hint in shown
        assert "Rename" not in shown


async def test_while_typing_a_filter_the_keys_of_the_input_show(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "w")
        field = pane(app).query_one("#keys-filter")
        await wait_until(pilot, lambda: app.focused is field)
        await pilot.pause()
        shown = hints(app)
        for hint in ("⏎ Back to the list", "esc Clear filter", "^q Quit"):
            assert hint in shown
        assert "Create" not in shown and "/ Filter" not in shown
        assert "q Quit" not in shown.replace("^q Quit", "")


async def test_the_most_used_actions_keep_their_place_at_each_width(fake_app: AppFactory) -> None:
    """At 80 columns Create, Revoke, Rename, Filter and the sidebar stay; at 120 Review too (issue 20)."""
    wanted = {
        (120, 35): ("n Create", "e Rename", "d Revoke", "/ Filter", "o Roll", "v Review"),
        (80, 24): ("n Create", "e Rename", "d Revoke", "/ Filter", "b Sidebar"),
        (60, 20): ("n Create", "d Revoke", "b Sidebar"),
    }
    for size, expected in wanted.items():
        app = fake_app(FakeClient(sample_keys()))
        async with app.run_test(size=size) as pilot:
            await loaded(pilot)
            await pilot.pause()
            shown = hints(app)
            for hint in (*expected, "? Help", "q Quit"):
                assert hint in shown, (size, shown)
