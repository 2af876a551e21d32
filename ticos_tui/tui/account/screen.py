"""AccountSettingsScreen: the sidebar (Profile, API Keys) and the selected section.

The first frame holds what it shows: the header, the keys pane and the hints. The sidebar and
the usage are mounted right after it (`compose_rest`; the sidebar's column keeps its width
meanwhile), the profile when it is first shown.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, OptionList
from textual.widgets.option_list import Option

from ticos_tui.client.backend import GetBackend, PagesAhead
from ticos_tui.core.errors import TicosError
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.profile import ProfilePane
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.hints import KeyHints

SECTIONS = (("profile", "Profile"), ("api-keys", "API Keys"))  # (id, title), as in the sidebar


class AccountSettingsScreen(Screen[None]):
    """The account's settings; loads the profile itself through the backend it is handed."""

    DEFAULT_CSS = """
    AccountSettingsScreen #sidebar-column { width: 14; border-right: solid $panel-lighten-2; background: $surface; }
    AccountSettingsScreen #sidebar { height: 1fr; border: none; background: $surface; padding: 1 0 0 0; }
    AccountSettingsScreen #sections { width: 1fr; }
    /* On short terminals the table gets the rows: usage shrinks to one line. */
    AccountSettingsScreen.-short KeyDetails #usage-row { height: 1; margin-top: 0; }
    AccountSettingsScreen.-short KeyDetails #usage-sparkline { height: 1; }
    AccountSettingsScreen.-short KeyDetails #usage-text { height: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # As in k9s, lazygit, htop and Posting; an input's own ctrl+c (copy) comes first.
        Binding(
            "ctrl+c", "copy_or_quit", "Quit", show=False, tooltip="Quit (copies a selection first)"
        ),
    ]

    def __init__(
        self,
        mode: str,
        get_backend: GetBackend,
        pages_ahead: PagesAhead | None = None,
        *,
        refresh_interval: float | None = None,
        clock: Clock = now_utc,
    ) -> None:
        """`refresh_interval`: seconds between quiet refreshes of the keys list; None for none."""
        super().__init__()
        self._mode = mode
        self._get_backend = get_backend
        self._pages_ahead = pages_ahead
        self._refresh_interval = refresh_interval
        self._clock = clock
        self._profile = ProfilePane(clock=clock, id="profile")  # mounted when first shown

    def compose(self) -> ComposeResult:
        yield AppHeader(self._mode)
        with Horizontal():
            yield Vertical(id="sidebar-column")
            with ContentSwitcher(initial="api-keys", id="sections"):
                yield ApiKeysPane(
                    self._get_backend,
                    pages_ahead=self._pages_ahead,
                    refresh_interval=self._refresh_interval,
                    clock=self._clock,
                    id="api-keys",
                )
        yield KeyHints(lambda: self.query_one(ApiKeysPane).key_hints())

    def on_mount(self) -> None:
        self._fit(self.app.size.height)  # before the first frame: it is drawn to fit
        self.load_account()

    async def compose_rest(self) -> None:
        """Mount what the first frame left out: the sidebar, the selected key's usage."""
        if self.query("#sidebar"):
            return
        current = self.query_one("#sections", ContentSwitcher).current
        # On the section shown already: no news of highlights to act on.
        with self.prevent(OptionList.OptionHighlighted):
            sidebar = OptionList(*(Option(title, id=id) for id, title in SECTIONS), id="sidebar")
            sidebar.highlighted = [id for id, _ in SECTIONS].index(current or "api-keys")
        await self.query_one("#sidebar-column").mount(sidebar)
        await self.query_one(ApiKeysPane).compose_rest()

    @work(exclusive=True, group="account", exit_on_error=False)
    async def load_account(self) -> None:
        try:
            account = await (await self._get_backend()).account()
        except TicosError as err:
            self._profile.show_error(str(err))
            return
        header = self.query_one(AppHeader)
        header.set_initials(account.initials)
        header.set_account(account.email)
        self._profile.show_account(account)

    def action_copy_or_quit(self) -> None:
        """Copy the text selected with the mouse, if any; else quit (never from an input)."""
        if isinstance(self.focused, Input):
            raise SkipAction()  # typing: ctrl+c there is the input's copy, never a quit
        selected = self.get_selected_text()
        if selected:
            self.app.copy_to_clipboard(selected)
        else:
            self.app.exit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        self.set_class(height < 30, "-short")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "sidebar" and event.option.id:
            self._show_section(event.option.id)

    def _show_section(self, section: str) -> None:
        sections = self.query_one("#sections", ContentSwitcher)
        if section == self._profile.id and self._profile.parent is None:
            self._profile.display = False  # the switcher shows it
            sections.mount(self._profile, before=0)  # in the switcher at once; composed soon
        sections.current = section

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sidebar" and event.option.id == "api-keys":
            self.query_one(ApiKeysPane).table.focus()
