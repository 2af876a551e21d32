"""AccountMenu: the avatar's dropdown (Account Settings, Activity, Switch login, Quit)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class AccountMenu(ModalScreen[str | None]):
    """Dismisses with "settings", "activity", "switch", "quit", or None."""

    DEFAULT_CSS = """
    AccountMenu { align: right top; background: $background 30%; }
    AccountMenu > OptionList {
        width: 24; height: auto; margin: 1 1 0 0; border: tall $primary; background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,ctrl+a", "close", "Close")]

    def compose(self) -> ComposeResult:
        yield OptionList(
            Option("Account Settings", id="settings"),
            Option("Activity", id="activity"),
            Option("Switch login…", id="switch"),
            Option("Quit", id="quit"),
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_click(self, event: object) -> None:
        # A click outside the menu closes it, as a dropdown does.
        if getattr(event, "widget", None) is self:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
