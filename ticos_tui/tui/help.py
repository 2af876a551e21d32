"""HelpScreen: every key the app answers to, in one place (`?`)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from ticos_tui.tui.dialogs import Dialog

KEYS: tuple[tuple[str, str], ...] = (
    ("n", "Create a new API key"),
    ("e", "Rename the selected key"),
    ("d", "Revoke the selected key (asks first)"),
    ("delete", "Delete the selected key (asks first)"),
    ("o", "Roll the selected key: a new key, the old one expires after a grace period"),
    ("c", "Copy the selected key's id"),
    ("r", "Refresh the list (retry after an error)"),
    ("/", "Filter by name as you type (escape clears)"),
    ("s", "Sort by the next column (click a header to sort by it)"),
    ("v", "Review: keys worth revoking or rolling, with reasons"),
    ("↑ ↓ PgUp PgDn Home End", "Move through the keys"),
    ("ctrl+a", "Account menu (Account Settings, Quit)"),
    ("?", "This help"),
    ("q", "Quit"),
)


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 78; max-height: 90%; }
    HelpScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll():
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Static(
                "In dialogs: enter confirms, escape cancels, tab moves between fields.",
                classes="hint",
            )
            yield Static("Press escape or ? to close.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
