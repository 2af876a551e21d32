"""HelpScreen (`?`): every key that works where it was opened, read from the live bindings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.widgets import Label, Static

from ticos_tui.tui.dialogs import Dialog

# Bindings that carry no words of their own, and what they do here.
_UNNAMED = {
    "focus_next": "Next: the list, the buttons, the filter (shift+tab goes back)",
    "focus_previous": "Previous: the list, the buttons, the filter",
}
_SHORT = {
    "command_palette": "Commands",
    "toggle_sidebar": "Sidebar, Profile",
}  # in a word, where the binding's own word is unclear
_SHORT_KEYS = 10  # cells of keys that fit a column of the short layout
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
    HelpScreen.-short .hint { margin-top: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]
    KEY_HINTS = (("up", "Scroll"),)

    def __init__(self, bindings: Mapping[str, ActiveBinding]) -> None:
        """`bindings`: a screen's `active_bindings` (key -> binding)."""
        super().__init__()
        self._shown: list[tuple[str, str, str]] = []  # the rows on screen
        self._shown_short = False
        self.prepare(bindings)

    def prepare(self, bindings: Mapping[str, ActiveBinding]) -> None:
        # Gathered now: once this screen is up, the bindings in force are its own.
        self._listed = list(bindings.items())
        if self.is_mounted:  # kept: the keys of where it opens now, read from the top
            self._update_table()  # only when changed: laying out a table is most of the cost
            self.query_one(VerticalScroll).scroll_home(animate=False)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do), one row per explanation, in the bindings' order."""
        return [(keys, what) for keys, what, _short in self._entries()]

    def _entries(self) -> list[tuple[str, str, str]]:
        """(keys, what they do, in a word or two): keys sharing an explanation share a row."""
        app = self.app
        keys_for: dict[str, list[str]] = {}
        what_for: dict[str, str] = {}
        short_for: dict[str, str] = {}
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
            short_for.setdefault(action, _SHORT.get(action) or binding.description or what)
        merged: dict[str, tuple[list[str], list[str]]] = {}  # what -> (keys, short words)
        for action, keys in keys_for.items():
            found = merged.setdefault(what_for[action], ([], []))
            found[0].extend(key for key in keys if key not in found[0])
            found[1].append(short_for[action])
        # Several actions with one explanation (↑ ↓ PgUp…): in a word, its first word ("Move").
        return [
            (" ".join(keys), what, shorts[0] if len(shorts) == 1 else what.split()[0])
            for what, (keys, shorts) in merged.items()
        ]

    def _table(self, entries: list[tuple[str, str, str]]) -> RenderableType:
        """One row per explanation; on a short terminal, two columns of keys and a word or two."""
        self._shown = entries
        table = Table.grid(padding=(0, 2))
        if not self.has_class("-short"):
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for keys, what, _short in entries:
                table.add_row(keys, what)
            return table
        # Keys too many for a column (↑ k ↓ j PgUp…) get a row of their own, after the columns.
        paired = [entry for entry in entries if cell_len(entry[0]) <= _SHORT_KEYS]
        alone = [entry for entry in entries if cell_len(entry[0]) > _SHORT_KEYS]
        half = (len(paired) + 1) // 2
        for _ in range(2):
            table.add_column(style="bold", no_wrap=True)
            table.add_column(no_wrap=True, overflow="ellipsis")
        for left, right in zip(paired[:half], [*paired[half:], ("", "", "")], strict=False):
            table.add_row(left[0], left[2], right[0], right[2])
        lines = [
            Text.assemble((keys, "bold"), "  ", short if self.has_class("-compact") else what)
            for keys, what, short in alone
        ]
        return Group(table, *lines)

    def _update_table(self) -> None:
        entries = self._entries()
        if (entries, self.has_class("-short")) != (self._shown, self._shown_short):
            self._shown_short = self.has_class("-short")
            self.query_one("#keys", Static).update(self._table(entries))

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if self.is_mounted and self.query("#keys"):
            self._update_table()

    def compose(self) -> ComposeResult:
        self._shown_short = self.has_class("-short")
        with VerticalScroll():
            yield Label("Keys", classes="dialog-title")
            yield Static(self._table(self._entries()), id="keys")
            yield Static(DIALOG_KEYS, classes="hint compact-hidden")
            yield Static("Press escape or ? to close.", classes="hint short-hidden")

    def action_close(self) -> None:
        self.dismiss(None)
