"""HelpScreen (`?`): every key that works where it was opened, read from the live bindings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from textual.app import ActiveBinding, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from ticos_tui.tui.dialogs import Dialog


class HelpScreen(Dialog[None]):
    """Lists `bindings` (a screen's `active_bindings`), one row per explanation, keys joined."""

    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 78; max-height: 90%; }
    HelpScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, bindings: Iterable[ActiveBinding]) -> None:
        super().__init__()
        # Gathered now: once this screen is up, the bindings in force are its own.
        self._listed = list(bindings)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) from the bindings' tooltips, else descriptions, in their order."""
        keys_for: dict[str, list[str]] = {}
        for active in self._listed:
            binding = active.binding
            # The footer's keys and the ones given an explanation; not Textual's own extras.
            if binding.system or not (binding.show or binding.tooltip):
                continue
            what = binding.tooltip or binding.description
            shown = keys_for.setdefault(what, [])
            display = self.app.get_key_display(binding)
            if display not in shown:
                shown.append(display)
        return [(" ".join(keys), what) for what, keys in keys_for.items()]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in self.rows():
            table.add_row(keys, what)
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
