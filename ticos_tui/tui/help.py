"""HelpScreen (`?`): every key that works where it was opened, read from the live bindings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from textual.app import ActiveBinding, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.widgets import Label, Static

from ticos_tui.tui.dialogs import Dialog

# Bindings that carry no words of their own, and what they do here.
_UNNAMED = {
    "focus_next": "Next: the list, the buttons, the filter (shift+tab goes back)",
    "focus_previous": "Previous: the list, the buttons, the filter",
}
DIALOG_KEYS = (
    "In dialogs: enter presses the focused button (in a name field, enter saves); tab moves "
    "between fields and buttons; escape cancels. Revoke and Delete start on Cancel: "
    "y confirms, n or escape cancels."
)


class HelpScreen(Dialog[None]):
    """Lists `bindings` (a screen's `active_bindings`), one row per explanation, keys joined."""

    DEFAULT_CSS = """
    HelpScreen > VerticalScroll { width: 78; max-height: 90%; }
    HelpScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]
    KEY_HINTS = (("up", "Scroll"),)

    def __init__(self, bindings: Mapping[str, ActiveBinding]) -> None:
        """`bindings`: a screen's `active_bindings` (key -> binding)."""
        super().__init__()
        self._shown: list[tuple[str, str]] = []  # the rows on screen
        self.prepare(bindings)

    def prepare(self, bindings: Mapping[str, ActiveBinding]) -> None:
        # Gathered now: once this screen is up, the bindings in force are its own.
        self._listed = list(bindings.items())
        if self.is_mounted:  # kept: the keys of where it opens now, read from the top
            rows = self.rows()
            if rows != self._shown:  # laying out a table again is most of an opening's cost
                self.query_one("#keys", Static).update(self._table(rows))
            self.query_one(VerticalScroll).scroll_home(animate=False)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do), one row per action, in the bindings' order."""
        app = self.app
        keys_for: dict[str, list[str]] = {}
        what_for: dict[str, str] = {}
        for key, active in self._listed:
            binding = active.binding
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            what = (
                binding.tooltip
                or _UNNAMED.get(action)
                or (binding.description if binding.show else "")
            )
            if binding.system or not what:
                continue  # Textual's own extras (and scrolling sideways, which the list never needs)
            # A character key as itself: `k` next to `↑`, not a second `↑`.
            character = key_to_character(key)
            display = (
                character
                if character is not None and character.isprintable() and not character.isspace()
                else app.get_key_display(binding)
            )
            shown = keys_for.setdefault(action, [])
            if display not in shown:
                shown.append(display)
            if len(what) > len(what_for.get(action, "")):
                what_for[action] = what  # q (no tooltip) and ctrl+q share the longer words
        return [(" ".join(keys), what_for[action]) for action, keys in keys_for.items()]

    def _table(self, rows: list[tuple[str, str]]) -> Table:
        self._shown = rows
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in rows:
            table.add_row(keys, what)
        return table

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Keys", classes="dialog-title")
            yield Static(self._table(self.rows()), id="keys")
            yield Static(DIALOG_KEYS, classes="hint")
            yield Static("Press escape or ? to close.", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
