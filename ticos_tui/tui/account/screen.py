"""AccountSettingsScreen: the sidebar (Profile, API Keys, Activity) and the selected section.

The first frame holds what it shows: the header, the keys pane and the hints. The sidebar and
the usage are mounted right after it (`compose_rest`; the sidebar's column keeps its width
meanwhile), the profile and the activity when first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import ContentSwitcher, Input, OptionList
from textual.widgets.option_list import Option

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.profile import ProfilePane
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.hints import KeyHints

if TYPE_CHECKING:
    from ticos_tui.tui.activity.pane import ActivityPane

# (id, title), as in the sidebar
SECTIONS = (("profile", "Profile"), ("api-keys", "API Keys"), ("activity", "Activity"))

# Who keeps a place in a narrow hints line, first to last (the line keeps the bindings' order).
HINT_PRIORITY = (
    "clear_filter",
    "create",
    "revoke",
    "toggle_sidebar",
    "rename",
    "filter",
    "copy_id",
    "roll",
    "review",
    "sort",
    "delete",
    "refresh",
)


class AccountSettingsScreen(Screen[None]):
    """The account's settings; loads the profile itself through the backend it is handed."""

    DEFAULT_CSS = """
    AccountSettingsScreen #sidebar-column { width: 12; border-right: solid $panel-lighten-2; background: $surface; }
    AccountSettingsScreen #sidebar { height: 1fr; border: none; background: $surface; padding: 1 0 0 0; }
    AccountSettingsScreen #sections { width: 1fr; }
    /* A section's head line (title, count), its filter field (shown while filtering), its body. */
    AccountSettingsScreen .section-header { height: 1; margin: 1 0 1 0; }
    AccountSettingsScreen .section-header .section-title { width: auto; }
    AccountSettingsScreen .section-count { width: 1fr; color: $text-muted; padding-left: 2; }
    AccountSettingsScreen .section-filter { display: none; margin-bottom: 1; }
    AccountSettingsScreen .-filtering .section-filter { display: block; }
    AccountSettingsScreen .section-body { height: 1fr; }
    /* Below FOLD_BELOW columns the table gets the width; `b` shows the sidebar again. */
    AccountSettingsScreen.-folded #sidebar-column { display: none; }
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
        Binding(
            "b",
            "toggle_sidebar",
            "Sidebar",
            tooltip="Show or hide the sidebar: Profile, API Keys and Activity (↑ ↓ pick one)",
        ),
        # From any section (the keys pane shows it in its hints; Activity's own `a` goes back).
        Binding(
            "a",
            "section('activity')",
            "Activity",
            show=False,
            tooltip="Activity: who created, renamed, rolled, revoked or deleted which key, from where",
        ),
    ]
    FOLD_BELOW = 100
    """Narrower than this many columns, the sidebar starts folded away."""

    def __init__(
        self,
        mode: str,
        get_backend: GetBackend,
        *,
        refresh_interval: float | None = None,
        clock: Clock = now_utc,
    ) -> None:
        """`refresh_interval`: seconds between quiet refreshes of the keys list; None for none."""
        super().__init__()
        self._mode = mode
        self._get_backend = get_backend
        self._refresh_interval = refresh_interval
        self._clock = clock
        self._profile = ProfilePane(clock=clock, id="profile")  # mounted when first shown
        self._sidebar_wanted: bool | None = None  # `b` chose; None: as the width has it
        self._activity: ActivityPane | None = None  # made and mounted when first shown

    def compose(self) -> ComposeResult:
        yield AppHeader(self._mode)
        with Horizontal():
            yield Vertical(id="sidebar-column")
            with ContentSwitcher(initial="api-keys", id="sections"):
                yield ApiKeysPane(
                    self._get_backend,
                    refresh_interval=self._refresh_interval,
                    clock=self._clock,
                    id="api-keys",
                )
        yield KeyHints(
            lambda: self.query_one(ApiKeysPane).key_hints(),
            priority=HINT_PRIORITY,
        )

    def on_mount(self) -> None:
        self._fit(self.app.size)  # before the first frame: it is drawn to fit
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

    async def show_login(self, mode: str) -> None:
        """Show another login's account (`mode`: its server) from scratch: every section is
        composed again, so nothing of the old account (keys, marks, filter) stays."""
        self._mode = mode
        self._profile = ProfilePane(clock=self._clock, id="profile")
        self._activity = None
        await self.recompose()
        self._fit(self.app.size)
        self.load_account()
        await self.compose_rest()

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
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        self.set_class(size.height < 30, "-short")
        folded = (
            size.width < self.FOLD_BELOW
            if self._sidebar_wanted is None
            else not self._sidebar_wanted
        )
        self.set_class(folded, "-folded")

    def action_toggle_sidebar(self) -> None:
        """Fold the sidebar away, or show it and put the focus on it (Profile is a key away)."""
        self._sidebar_wanted = self.has_class("-folded")
        self._fit(self.app.size)
        sidebar = self.query("#sidebar")
        if self._sidebar_wanted and sidebar:
            sidebar.first().focus()
        elif not self._sidebar_wanted and sidebar and self.focused is sidebar.first():
            self.focus_next()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "sidebar" and event.option.id:
            self._show_section(event.option.id)

    def _show_section(self, section: str) -> AwaitMount | None:
        """Switch to `section`; mounts it first when it is shown for the first time (awaitable)."""
        sections = self.query_one("#sections", ContentSwitcher)
        mounting = None
        if section == self._profile.id and self._profile.parent is None:
            self._profile.display = False  # the switcher shows it
            mounting = sections.mount(self._profile, before=0)  # in the switcher; composed soon
        if section == "activity" and self._activity is None:
            from ticos_tui.tui.activity.pane import ActivityPane  # not on the first frame's path

            self._activity = ActivityPane(self._get_backend, clock=self._clock, id="activity")
            self._activity.display = False
            mounting = sections.mount(self._activity)
        sections.current = section
        return mounting

    async def action_section(self, section: str) -> None:
        """Show `section` (an id of SECTIONS) and focus it, as choosing it in the sidebar does.

        Awaited as the key's own action, so keys typed right after it reach the section it shows.
        """
        for sidebar in self.query("#sidebar").results(OptionList):
            with self.prevent(OptionList.OptionHighlighted):
                sidebar.highlighted = [id for id, _ in SECTIONS].index(section)
        shown = self._show_section(section)
        if shown is not None:
            await shown
        self._focus_section(section)

    def _focus_section(self, section: str) -> None:
        if section == "api-keys":
            self.query_one(ApiKeysPane).table.focus()
        elif section == "activity" and self._activity is not None:
            self._activity.focus_body()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sidebar" and event.option.id:
            self._focus_section(event.option.id)
