"""ActivityTable: Textual's DataTable, moved through as the keys table is (home/end, vim keys)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

_MOVE = "Move through the events (the last rows load older ones)"


class ActivityTable(DataTable[Text]):
    """Rows of events; home and end go to the first and last row, not the first and last column."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, key_display="↑", tooltip=_MOVE),
        Binding("down,j", "cursor_down", "Down", show=False, key_display="↓", tooltip=_MOVE),
        Binding("pageup", "page_up", "Page up", show=False, key_display="PgUp", tooltip=_MOVE),
        Binding(
            "pagedown", "page_down", "Page down", show=False, key_display="PgDn", tooltip=_MOVE
        ),
        Binding("home,g", "scroll_top", "First", show=False, key_display="Home", tooltip=_MOVE),
        Binding("end,G", "scroll_bottom", "Last", show=False, key_display="End", tooltip=_MOVE),
    ]
