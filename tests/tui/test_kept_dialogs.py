"""Kept dialogs: built on the first opening and shown again, each opening starts as a new dialog would.

A kept dialog keeps its widgets between openings (opening it is then about half as costly),
so whatever the last opening left in it (a typed name, a chosen scope, an error, another
key's name, a scrolled list) must be gone when it opens again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.table import Table
from textual.widgets import Input, OptionList, RadioButton, Select, SelectionList, Static

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, settle, table, wait_until
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import CreatedKey
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.api_keys.roll import RollKeyDialog
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog, kept
from ticos_tui.tui.help import HelpScreen


class FailingOnce(FakeClient):
    """Refuses the first create with a server message, then works."""

    def __init__(self) -> None:
        super().__init__(sample_keys(3))
        self.refused = False

    async def create_key(
        self,
        name: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedKey:
        if not self.refused:
            self.refused = True
            raise TicosError("The server is having a bad day")
        return await super().create_key(name, scopes=scopes, expires_at=expires_at)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_create_opens_fresh_after_a_cancelled_filled_in_one(
    fake_app: Callable[..., TicosApp],
) -> None:
    client = FailingOnce()
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        first = app.screen
        assert isinstance(first, CreateKeyDialog)
        await pilot.press(*"half typed", "enter")  # the server refuses it: the error shows
        await wait_until(pilot, lambda: first.query_one("#server-error").has_class("-shown"))
        first.query_one("#access-custom", RadioButton).value = True
        await wait_until(pilot, lambda: bool(first.query("#scopes")))
        first.query_one("#scopes", SelectionList).select("usage:read")
        first.query_one("#expiry", Select).value = "date"
        await wait_until(pilot, lambda: bool(first.query("#expiry-date")))
        first.query_one("#expiry-date", Input).value = "2001-01-01"
        first.set_focus(first.query_one("#cancel"))
        await settle(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CreateKeyDialog))

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        dialog = app.screen
        assert dialog is first  # kept, not built again
        await settle(pilot)
        assert dialog.query_one("#name", Input).value == ""
        assert app.focused is dialog.query_one("#name", Input)
        assert not dialog.query_one("#server-error").has_class("-shown")
        assert not dialog.busy
        assert dialog.query_one("#access-full", RadioButton).value
        assert not dialog.has_class("-custom-scopes") and not dialog.has_class("-expiry-date")
        assert dialog.query_one("#scopes", SelectionList).selected == []
        assert dialog.query_one("#expiry", Select).value == "never"
        assert dialog.query_one("#expiry-date", Input).value == ""
        assert text_of(dialog.query_one("#options-problem", Static)) == ""
        assert dialog.scopes() is None and dialog.expires_at() is None

        # And it works: the next name is created with full access and no expiry.
        await pilot.press(*"Second try", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        created = app.screen
        assert isinstance(created, KeyCreatedDialog)
        assert created is not first
        made = next(k for k in client.keys if k.name == "Second try")
        assert made.scopes == ("*",) and made.expires_at is None


async def test_rename_revoke_and_roll_speak_of_the_key_they_open_on(
    fake_app: Callable[..., TicosApp],
) -> None:
    client = FakeClient(sample_keys(3))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        names = []
        for row in range(2):
            tbl.cursor_row = row
            await settle(pilot)
            key = tbl.selected_key
            assert key is not None
            names.append(key.name)

            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
            assert app.screen.query_one("#name", Input).value == key.name
            await pilot.press("x")  # typed, then cancelled: the next opening must not show it
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))

            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            body = text_of(app.screen.query_one(".dialog-body", Static))
            assert key.name in body and all(n not in body for n in names[:-1])
            assert app.focused is app.screen.query_one("#cancel")
            await pilot.press("tab")  # focus Revoke: the next opening must start on Cancel again
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))

            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, RollKeyDialog))
            roll = app.screen
            assert key.name in text_of(roll.query_one("#about", Static))
            assert roll.query_one("#grace", OptionList).highlighted == 1
            assert app.focused is roll.query_one("#grace")
            await pilot.press("down", "tab", "down")
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, RollKeyDialog))

        # Renaming the second key renames that key, not the first one the dialog opened on.
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        await pilot.press("ctrl+u", *"Renamed second", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))
        await settle(pilot)
        by_name = {k.name for k in client.keys}
        assert "Renamed second" in by_name and names[0] in by_name and names[1] not in by_name


async def test_help_opens_at_the_top_with_the_keys_of_where_it_opens(
    fake_app: Callable[..., TicosApp],
) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(80, 32)) as pilot:  # tall enough to scroll, not short
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("end")
        await settle(pilot)
        scroller = app.screen.query_one("VerticalScroll")
        assert scroller.scroll_y > 0
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        assert app.screen.query_one("VerticalScroll").scroll_y == 0
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("n", "Create a new API key") in help_screen.rows()


async def test_a_kept_dialog_follows_the_terminal_size(
    fake_app: Callable[..., TicosApp],
) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        dialog = app.screen
        await settle(pilot)
        assert not dialog.has_class("-narrow")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CreateKeyDialog))

        await pilot.resize_terminal(70, 24)
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is dialog)
        await wait_until(pilot, lambda: dialog.has_class("-narrow"))
        assert dialog.query_one(".dialog-buttons").region.right <= 70


async def test_a_second_confirm_over_the_kept_one_is_a_new_dialog(
    fake_app: Callable[..., TicosApp],
) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        answers: list[bool | None] = []
        first = kept(app, ConfirmDialog, "First?", "one")
        app.push_screen(first, answers.append)
        await wait_until(pilot, lambda: app.screen is first)
        second = kept(app, ConfirmDialog, "Second?", "two")
        assert second is not first
        app.push_screen(second, answers.append)
        await wait_until(pilot, lambda: app.screen is second)
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is first)
        assert text_of(first.query_one(".dialog-body", Static)) == "one"
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is not first)
        assert answers == [True, False]
        assert kept(app, ConfirmDialog, "Third?", "three") is first
        assert pane(app).is_attached


async def test_a_kept_help_lists_the_keys_of_the_screen_it_opens_over(
    fake_app: Callable[..., TicosApp],
) -> None:
    app = fake_app(FakeClient(sample_keys(3)))

    def listed() -> list[str]:
        table = app.screen.query_one("#keys", Static).content
        assert isinstance(table, Table)
        return [str(cell) for cell in table.columns[1].cells]

    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Create a new API key" in listed()
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))

        app.screen.query_one("#sidebar").focus()  # from the sections list, `n` creates nothing
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Create a new API key" not in listed()
