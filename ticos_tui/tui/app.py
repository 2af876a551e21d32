"""TicosApp: owns one backend and hands it down to the Account Settings screen; `make_app()` builds it."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme
from textual.timer import Timer

from ticos_tui.backend import KeysBackend
from ticos_tui.config import Settings, read_config_file, save_config_value
from ticos_tui.errors import ConfigError, TicosError
from ticos_tui.timefmt import Clock, now_utc
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.screen import AccountSettingsScreen
from ticos_tui.tui.api_keys.pane import REFRESH_INTERVAL, ApiKeysPane
from ticos_tui.tui.commands import KeysCommands
from ticos_tui.tui.hand_over import HandOver, in_thread
from ticos_tui.tui.type_ahead import KeyFollower, TypeAhead

if TYPE_CHECKING:
    from ticos_tui.prefetch import KeysAhead

BackendFactory = Callable[[], KeysBackend]


def _collect_from_now_on() -> None:
    """After the first frame: the garbage collector on, everything alive so far out of its way.

    Start-up leaves ~100k long-lived objects (widgets, styles, modules); frozen, the collector
    stops re-scanning them while 10,000 keys load (max stall 93 -> 57 ms). `ticos-tui` turns
    the collector off until this point (cli/launch.py); the little garbage start-up made is
    frozen with the rest rather than paid for with a full collection on the UI thread.
    """
    gc.freeze()
    gc.enable()


class TicosApp(App[None]):
    """Thin shell: owns the backend and the app-wide keys (quit, help, account menu)."""

    TITLE = "ticos-tui"
    COMMANDS = App.COMMANDS | {KeysCommands}
    CSS_PATH = "ticos.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This help"),
        Binding(
            "ctrl+a",
            "account_menu",
            "Account",
            show=False,
            tooltip="Account menu (Account Settings, Activity, Quit)",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client_factory: BackendFactory | None = None,
        refresh_interval: float | None = REFRESH_INTERVAL,
        timeout: float = 10.0,
        keys_ahead: KeysAhead | None = None,
        clock: Clock = now_utc,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._clock = clock  # handed down to the screens and the dialogs that need the time
        self._refresh_interval = refresh_interval
        self._timeout = timeout  # bounds every request, retries included (`--timeout`)
        self._client_factory = client_factory
        self._client: KeysBackend | None = None
        self._connect_lock = asyncio.Lock()
        self._opening: Future[KeysBackend] | None = None
        self._ahead = HandOver(keys_ahead) if keys_ahead is not None else None
        self._painted = asyncio.Event()  # the first frame is drawn, the rest of the screen mounted
        self._main_screen: AccountSettingsScreen | None = None  # the first screen
        self._saved_theme: str | None = None  # the theme config.toml holds, as far as we know
        self._theme_save: Timer | None = None
        self._type_ahead = TypeAhead(self)

    # ---- keys -------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # One key at a time: a key typed right after `n` goes to the dialog `n` opens.
        if not TypeAhead.applies(event):
            await super().on_event(event)
            return
        if self._type_ahead.hold(event):
            return
        target = self.focused or self.screen
        await super().on_event(event)
        self._type_ahead.follow(target)

    @on(KeyFollower)
    def _key_handled(self, follower: KeyFollower) -> None:
        self._type_ahead.arrived(follower)

    # ---- client -----------------------------------------------------------------------

    def _open_client(self) -> KeysBackend:
        if self._client_factory is not None:
            return self._client_factory()
        from ticos_tui.connect import open_client

        return open_client(self.settings, timeout=self._timeout)

    def _start_opening(self) -> Future[KeysBackend]:
        """Open the client in a thread, so httpx and the service import off the UI thread."""
        return in_thread(self._open_client, "ticos-open-client")

    async def get_client(self) -> KeysBackend:
        """The client, opened in a thread on first use (and again after a failure)."""
        async with self._connect_lock:
            if self._client is None:
                if self._opening is None and self._ahead is not None:
                    # The child may be creating the local account and its token: open after
                    # its first page. And after the first frame: opening imports httpx and the
                    # service, which would hold the GIL while the screen is drawn.
                    await self._ahead.began.wait()
                    await self._painted.wait()
                if self._opening is None:
                    self._opening = self._start_opening()
                try:
                    self._client = await asyncio.wrap_future(self._opening)
                except TicosError:
                    self._opening = None  # the next call (e.g. `r`) tries again
                    raise
                except Exception as err:  # e.g. an unwritable data folder
                    self._opening = None
                    raise TicosError(f"Could not open the Ticos service: {err}") from None
            return self._client

    async def on_unmount(self) -> None:
        if self._theme_save is not None:  # picked just before quitting: save it now
            self._theme_save.stop()
            try:
                save_config_value(self.settings.config_file, "theme", self.theme)
            except (ConfigError, OSError):
                pass  # quitting: nowhere left to say it
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ---- screens ----------------------------------------------------------------------

    def get_default_screen(self) -> AccountSettingsScreen:
        """The first screen, composed as the app starts.

        The app's own first screen, not one pushed over it: Textual draws a pushed screen
        only once the app's start-up batch ends, after it has laid out and rendered it once
        for nothing.
        """
        if self._ahead is not None:
            self._ahead.start()  # the child's first page: in by the time the keys pane composes
        else:
            # Start opening the client now, while the screen composes: it is ready sooner.
            self._opening = self._opening or self._start_opening()
        self._restore_theme()  # before the screen's styles are worked out, not after
        self._main_screen = AccountSettingsScreen(
            self.settings.mode_label,
            self.get_client,
            self._ahead,
            refresh_interval=self._refresh_interval,
            clock=self._clock,
        )
        return self._main_screen

    async def on_ready(self) -> None:
        """The first frame is on the terminal: the screen mounts the rest, then the client opens.

        Not `call_after_refresh`: that waits until the screen has settled, several frames on.
        """
        main = self._main_screen  # not `self.screen`: a key typed early may have opened a dialog
        try:
            if main is not None and main.is_attached:  # (not when quitting already)
                await main.compose_rest()
        finally:
            self._painted.set()  # opening the client imports httpx and the service: now
        _collect_from_now_on()

    # ---- theme, remembered in config.toml ----------------------------------------------

    def _restore_theme(self) -> None:
        """The theme saved in config.toml, unless TEXTUAL_THEME chooses one (it wins, as in Textual)."""
        try:
            saved = read_config_file(self.settings.config_file).get("theme")
        except ConfigError:
            saved = None  # the file was readable a moment ago; the theme is not worth a failure
        if isinstance(saved, str):
            self._saved_theme = saved
            if saved in self.available_themes and not os.environ.get("TEXTUAL_THEME"):
                self.theme = saved
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        # The palette's theme picker previews each theme it passes: save the one that stays.
        if self._theme_save is not None:
            self._theme_save.stop()
            self._theme_save = None
        if theme.name != self._saved_theme:
            self._theme_save = self.set_timer(0.5, lambda: self._theme_settled(theme.name))

    def _theme_settled(self, name: str) -> None:
        self._theme_save = None
        self._saved_theme = name
        self._save_theme(name)

    @work(thread=True, exclusive=True, group="save-theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        try:
            save_config_value(self.settings.config_file, "theme", name)
        except (ConfigError, OSError) as err:
            self.call_from_thread(
                self.notify,
                f"The theme is not saved for next time: {err}",
                severity="warning",
                markup=False,
                timeout=8,
            )

    @on(ApiKeysPane.KeysShown)
    def _keys_shown(self) -> None:
        # The first page may be in before the first frame is drawn: import after it.
        self.call_after_refresh(self._import_screens)

    @work(thread=True, group="import-screens", exit_on_error=False)
    def _import_screens(self) -> None:
        """Import the help and the account menu once the keys are up: off the first frame's path."""
        from ticos_tui.tui import help  # noqa: F401
        from ticos_tui.tui.account import menu  # noqa: F401

    @on(ApiKeysPane.KeysLoaded)
    def _keys_loaded(self) -> None:
        gc.freeze()  # the loaded keys live as long as the screen: stop re-scanning them too

    @on(AppHeader.AvatarPressed)
    def _avatar_pressed(self) -> None:
        self.action_account_menu()

    def action_help(self) -> None:
        from ticos_tui.tui.dialogs import kept
        from ticos_tui.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(kept(self, HelpScreen, self.screen.active_bindings))

    def action_account_menu(self) -> None:
        from ticos_tui.tui.account.menu import AccountMenu

        if not isinstance(self.screen, AccountMenu):
            self.push_screen(AccountMenu(), self._account_menu_chosen)

    def _account_menu_chosen(self, choice: str | None) -> None:
        if choice == "quit":
            self.exit()
        elif choice in ("settings", "activity"):
            while not isinstance(self.screen, AccountSettingsScreen) and len(self.screen_stack) > 1:
                self.pop_screen()
            if choice == "activity" and isinstance(self.screen, AccountSettingsScreen):
                self.screen.action_section("activity")


def make_app(
    settings: Settings | None = None,
    *,
    client_factory: BackendFactory | None = None,
    refresh_interval: float | None = REFRESH_INTERVAL,
    timeout: float = 10.0,
    keys_ahead: KeysAhead | None = None,
    clock: Clock = now_utc,
) -> TicosApp:
    """The app for `settings` (resolved from the environment when None).

    `refresh_interval`: seconds between quiet refreshes of the keys list (None: only on `r`);
    `timeout` is the longest the app waits for any one answer, retries included;
    `keys_ahead`: the keys being fetched by a child process (`ticos_tui.prefetch.start`);
    `clock`: where the app reads the time ("3 days ago", the review, expiry choices).
    """
    if settings is None:
        from ticos_tui.config import resolve_settings

        settings = resolve_settings()
    return TicosApp(
        settings,
        client_factory=client_factory,
        refresh_interval=refresh_interval,
        timeout=timeout,
        keys_ahead=keys_ahead,
        clock=clock,
    )
