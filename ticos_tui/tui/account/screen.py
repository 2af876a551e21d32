"""AccountSettingsScreen: the sidebar (Profile, API Keys) and the selected section."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher, OptionList
from textual.widgets.option_list import Option

from ticos_tui.models import Account
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.profile import ProfilePane
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.hints import KeyHints


class AccountSettingsScreen(Screen[None]):
    DEFAULT_CSS = """
    AccountSettingsScreen #sidebar-column { width: 14; border-right: solid $panel-lighten-2; background: $surface; }
    AccountSettingsScreen #sidebar { height: 1fr; border: none; background: $surface; padding: 1 0 0 0; }
    AccountSettingsScreen #sections { width: 1fr; }
    /* On short terminals the table gets the rows: usage shrinks to one line. */
    AccountSettingsScreen.-short KeyDetails #usage-row { height: 1; margin-top: 0; }
    AccountSettingsScreen.-short KeyDetails #usage-sparkline { height: 1; }
    AccountSettingsScreen.-short KeyDetails #usage-text { height: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode
        self._account: Account | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader(self._mode)
        with Horizontal():
            with Vertical(id="sidebar-column"):
                yield OptionList(
                    Option("Profile", id="profile"),
                    Option("API Keys", id="api-keys"),
                    id="sidebar",
                )
            with ContentSwitcher(initial="api-keys", id="sections"):
                yield ProfilePane(id="profile")
                yield ApiKeysPane(id="api-keys")
        yield KeyHints()

    def on_mount(self) -> None:
        sidebar = self.query_one("#sidebar", OptionList)
        sidebar.highlighted = 1
        if self._account is not None:  # it arrived before the screen was composed
            self.show_account(self._account)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < 30, "-short")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "sidebar" and event.option.id:
            self.query_one("#sections", ContentSwitcher).current = event.option.id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sidebar" and event.option.id == "api-keys":
            self.query_one(ApiKeysPane).table.focus()

    def show_account(self, account: Account) -> None:
        self._account = account
        try:
            header = self.query_one(AppHeader)
            profile = self.query_one(ProfilePane)
        except NoMatches:
            return  # not composed yet: on_mount shows it
        header.set_initials(account.initials)
        profile.show_account(account)

    def show_account_error(self, message: str) -> None:
        self.query_one(ProfilePane).show_error(message)

    def on_app_header_avatar_pressed(self, event: AppHeader.AvatarPressed) -> None:
        event.stop()
        self.app.action_account_menu()  # type: ignore[attr-defined]
