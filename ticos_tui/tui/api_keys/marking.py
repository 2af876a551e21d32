"""Marking keys in the table to act on several at once: `space` marks the key under the cursor
(and moves on), shift+↑/↓ mark as they move. Marks are ids: they survive sorting, filtering and
reloads, and a key that disappears simply drops out of `marked_keys`."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView

from ticos_tui.core.models import ApiKey

MARK = "✓"
_MARK_TIP = "Mark or unmark the key: d, delete and o then act on every marked key"
_MARK_MOVING = "Mark keys as you move"


class MarkableTable(ScrollView):
    """The marking half of ApiKeysTable (which supplies the rows and the cursor)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Mark", show=False, key_display="space", tooltip=_MARK_TIP),
        Binding(
            "shift+down",
            "mark_down",
            "Mark down",
            show=False,
            key_display="⇧↓",
            tooltip=_MARK_MOVING,
        ),
        Binding(
            "shift+up", "mark_up", "Mark up", show=False, key_display="⇧↑", tooltip=_MARK_MOVING
        ),
    ]

    if TYPE_CHECKING:

        @property
        def rows(self) -> list[ApiKey]: ...
        @property
        def selected_key(self) -> ApiKey | None: ...
        def key_by_id(self, key_id: str) -> ApiKey | None: ...
        def action_cursor_up(self) -> None: ...
        def action_cursor_down(self) -> None: ...

    class MarksChanged(Message):
        """Keys were marked or unmarked (the header's count says how many)."""

    _marked: dict[str, None]  # ids, in the order they were marked

    def marks(self) -> dict[str, None]:
        if not hasattr(self, "_marked"):
            self._marked = {}
        return self._marked

    def is_marked(self, key_id: str) -> bool:
        return key_id in self.marks()

    def marked_keys(self) -> list[ApiKey]:
        """The marked keys still held, in the order they were marked."""
        return [key for key_id in self.marks() if (key := self.key_by_id(key_id)) is not None]

    def set_marks(self, key_ids: list[str]) -> None:
        self._marked = dict.fromkeys(key_ids)
        self.refresh()
        self.post_message(self.MarksChanged())

    def clear_marks(self) -> None:
        if self.marks():
            self.set_marks([])

    def _mark(self, key: ApiKey | None, on: bool | None = None) -> None:
        if key is None:
            return
        marks = self.marks()
        on = key.id not in marks if on is None else on
        if on:
            marks[key.id] = None
        else:
            marks.pop(key.id, None)
        self.refresh()
        self.post_message(self.MarksChanged())

    def action_toggle_mark(self) -> None:
        self._mark(self.selected_key)
        self.action_cursor_down()

    def action_mark_down(self) -> None:
        self._mark(self.selected_key, True)
        self.action_cursor_down()
        self._mark(self.selected_key, True)

    def action_mark_up(self) -> None:
        self._mark(self.selected_key, True)
        self.action_cursor_up()
        self._mark(self.selected_key, True)

    def mark_cell(self, key: ApiKey, style: Style) -> tuple[str, Style]:
        """The row's first cell: the mark when `key` is marked, else the blank margin."""
        if key.id in self.marks():
            return MARK, style + Style(bold=True)
        return " ", style
