"""AppHeader: product name, the mode (local or the server's host) and the account's avatar button."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Label

from ticos_tui.core.sanitize import literal


class AppHeader(Horizontal):
    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $panel; padding: 0 1; }
    AppHeader #product { text-style: bold; color: $accent; width: auto; }
    AppHeader #mode { color: $text-muted; width: 1fr; padding-left: 2; }
    AppHeader #avatar { min-width: 6; width: auto; }
    """

    class AvatarPressed(Message):
        """The avatar button was activated: open the account menu."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode

    def compose(self) -> ComposeResult:
        yield Label(Text("◆ Ticos"), id="product")
        yield Label(literal(f"Account Settings · {self._mode}"), id="mode")
        yield Button(Text(" … "), id="avatar", compact=True, tooltip="Account (ctrl+a)")

    def set_initials(self, initials: str) -> None:
        self.query_one("#avatar", Button).label = literal(f" {initials} ")

    def set_account(self, email: str) -> None:
        """Which account of which server this is: with several logins, it must be plain."""
        self.query_one("#mode", Label).update(literal(f"Account Settings · {self._mode} · {email}"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.AvatarPressed())
