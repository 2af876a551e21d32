"""ctrl+p offers every action of the page, and running one does what its key does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.command import CommandPalette

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, table, wait_until
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.review_screen import ReviewScreen
from ticos_tui.tui.api_keys.roll import RollKeyDialog
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog

AppFactory = Callable[..., TicosApp]


async def run_command(app: TicosApp, pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    palette = app.screen
    await wait_until(pilot, lambda: palette.query_one("CommandList").option_count > 0)
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette))


@pytest.mark.parametrize(
    ("query", "dialog"),
    [
        ("revoke", ConfirmDialog),
        ("delete", ConfirmDialog),
        ("create", CreateKeyDialog),
        ("roll", RollKeyDialog),
        ("review", ReviewScreen),
    ],
)
async def test_a_command_opens_what_its_key_opens(
    fake_app: AppFactory, query: str, dialog: type
) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await run_command(app, pilot, query)
        await wait_until(pilot, lambda: isinstance(app.screen, dialog))


async def test_sort_by_each_column_is_a_command(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        keys_table = table(app)
        for query, column in (("sort by name", "name"), ("sort by status", "status")):
            await run_command(app, pilot, query)
            await wait_until(pilot, lambda c=column: keys_table.sort_column == c)


async def test_the_palette_shows_key_names_as_the_hints_do(fake_app: AppFactory) -> None:
    """`Delete · del / ⌫`, not `key delete,backspace` (issue 20)."""
    from ticos_tui.tui.commands import KeysCommands

    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        provider = KeysCommands(app.screen_stack[-2])
        helps = {command.title: command.help for command in provider.commands()}
        delete = next(help for title, help in helps.items() if title.startswith("Delete"))
        assert delete == "Delete · del / ⌫", helps
        assert all(
            " key " not in help and "," not in help.split("·")[-1] for help in helps.values()
        )
        assert any(help.endswith("· ?") for help in helps.values())
