"""TicosApp: owns one backend and hands it down to the Account Settings screen; `make_app()` builds it."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import ClassVar, TypeVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.theme import Theme
from textual.timer import Timer

from ticos_tui.client.backend import KeysBackend
from ticos_tui.core.errors import ConfigError, TicosError
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.settings.config import Settings, read_config_file, save_config_value
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.screen import AccountSettingsScreen
from ticos_tui.tui.api_keys.keys_list import REFRESH_INTERVAL
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.commands import KeysCommands
from ticos_tui.tui.type_ahead import KeyFollower, KeyGate, KeyReleased

BackendFactory = Callable[[], KeysBackend]
R = TypeVar("R")


def in_thread(work: Callable[[], R], name: str) -> Future[R]:
    """Run `work` in a daemon thread; its result or exception lands in the future.

    The future is running from the start, so a cancelled wait for it never cancels the work.
    """
    future: Future[R] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as err:  # handed to whoever awaits the future
            future.set_exception(err)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


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
            tooltip="Account menu (Account Settings, Activity, Switch login, Quit)",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client_factory: BackendFactory | None = None,
        refresh_interval: float | None = REFRESH_INTERVAL,
        timeout: float = 10.0,
        clock: Clock = now_utc,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._on_ready = on_ready  # the process owner's, once the first frame is drawn
        self.settings = settings
        self._clock = clock  # handed down to the screens and the dialogs that need the time
        self._refresh_interval = refresh_interval
        self._timeout = timeout  # bounds every request, retries included (`--timeout`)
        self._client_factory = client_factory
        self._client: KeysBackend | None = None
        self._connect_lock = asyncio.Lock()
        self._opening: Future[KeysBackend] | None = None
        self._main_screen: AccountSettingsScreen | None = None  # the first screen
        self._saved_theme: str | None = None  # the theme config.toml holds, as far as we know
        self._theme_save: Timer | None = None
        self.key_gate = KeyGate(self)

    # ---- keys -------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # One key at a time: a key typed right after `n` goes to the dialog `n` opens.
        if not KeyGate.applies(event):
            await super().on_event(event)
        elif not self.key_gate.waiting(event):
            await self._send_key(event)

    async def _send_key(self, event: events.Event) -> None:
        target = self.focused or self.screen
        await super().on_event(event)
        self.key_gate.sent(target)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self.key_gate.screen_changed)

    @on(KeyReleased)
    async def _key_released(self, released: KeyReleased) -> None:
        await self._send_key(released.event)

    @on(KeyFollower)
    def _key_handled(self, follower: KeyFollower) -> None:
        self.key_gate.arrived(follower)

    # ---- client -----------------------------------------------------------------------

    def _open_client(self) -> KeysBackend:
        if self._client_factory is not None:
            return self._client_factory()
        from ticos_tui.wiring import open_client

        return open_client(self.settings, timeout=self._timeout)

    def _start_opening(self) -> Future[KeysBackend]:
        """Open the client in a thread, so httpx and the service import off the UI thread."""
        return in_thread(self._open_client, "ticos-open-client")

    async def get_client(self) -> KeysBackend:
        """The client, opened in a thread on first use (and again after a failure)."""
        async with self._connect_lock:
            if self._client is None:
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
        # Start opening the client now, while the screen composes: it is ready sooner.
        self._opening = self._opening or self._start_opening()
        self._restore_theme()  # before the screen's styles are worked out, not after
        self._main_screen = AccountSettingsScreen(
            self.settings.mode_label,
            self.get_client,
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
            if self._on_ready is not None:
                self._on_ready()

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
                self.call_later(self.screen.action_section, "activity")
        elif choice == "switch":
            self.action_switch_login()

    # ---- logins -----------------------------------------------------------------------

    def action_switch_login(self) -> None:
        """Choose another stored login; the app reloads on it without a restart."""
        from ticos_tui.settings.logins import all_logins, login_name
        from ticos_tui.tui.account.logins import LoginChooser

        if isinstance(self.screen, LoginChooser):
            return
        logins = [(login_name(url), url, where) for url, where in all_logins()]
        self.push_screen(LoginChooser(logins, self.settings.base_url), self._login_chosen)

    def _login_chosen(self, base_url: str | None) -> None:
        if base_url is not None and base_url != self.settings.base_url:
            self._switch_login(base_url)

    @work(exclusive=True, group="switch-login", exit_on_error=False)
    async def _switch_login(self, base_url: str) -> None:
        """Close this login's client, make `base_url` the default (as `auth switch`) and show
        Account Settings afresh on it: nothing of the old account (marks, filter) stays."""
        from ticos_tui.settings.logins import login_name, settings_for, switch_to

        name = login_name(base_url)
        try:
            settings = settings_for(base_url, str(self.settings.data_dir))
            switch_to(base_url)
        except (TicosError, OSError) as err:
            self.notify(
                f"Could not switch to {name}: {err}", severity="error", markup=False, timeout=10
            )
            return
        async with self._connect_lock:
            old, self._client, self._opening = self._client, None, None
            self.settings = settings
        if old is not None:
            await old.aclose()
        while len(self.screen_stack) > 1:  # any dialog of the old login goes with it
            await self.pop_screen()
        main = self._main_screen
        if main is not None:
            self._opening = self._start_opening()  # while the screen composes again
            await main.show_login(settings.mode_label)
        self.notify(f"Switched to {name}: it is now the default login.", markup=False, timeout=6)


def make_app(
    settings: Settings | None = None,
    *,
    client_factory: BackendFactory | None = None,
    refresh_interval: float | None = REFRESH_INTERVAL,
    timeout: float = 10.0,
    clock: Clock = now_utc,
    on_ready: Callable[[], None] | None = None,
) -> TicosApp:
    """The app for `settings` (resolved from the environment when None).

    `refresh_interval`: seconds between quiet refreshes of the keys list (None: only on `r`);
    `timeout` is the longest the app waits for any one answer, retries included;
    `clock`: where the app reads the time ("3 days ago", the review, expiry choices);
    `on_ready`: called once the first frame is drawn (the process owner's, e.g. the collector).
    """
    if settings is None:
        from ticos_tui.settings.config import resolve_settings

        settings = resolve_settings()
    return TicosApp(
        settings,
        client_factory=client_factory,
        refresh_interval=refresh_interval,
        timeout=timeout,
        clock=clock,
        on_ready=on_ready,
    )
