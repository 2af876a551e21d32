"""ApiKeysTable: a virtual table of API keys on Textual's line API, fluid at tens of thousands of rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from ticos_tui.core.models import ApiKey
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.api_keys import columns
from ticos_tui.tui.api_keys.columns import Column
from ticos_tui.tui.api_keys.marking import MarkableTable

_MOVE = "Move through the keys"
_NONE_YET = object()  # no `Highlighted` posted yet: the first one goes out, even for no key


class ApiKeysTable(MarkableTable, can_focus=True):
    """The keys of an account, filtered and sorted in memory; only the visible lines are ever rendered."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # One row in the help for all of them; the vim keys (k j g G) work too.
        Binding("up,k", "cursor_up", "Up", show=False, key_display="↑", tooltip=_MOVE),
        Binding("down,j", "cursor_down", "Down", show=False, key_display="↓", tooltip=_MOVE),
        Binding("pageup", "page_up", "Page up", show=False, key_display="PgUp", tooltip=_MOVE),
        Binding(
            "pagedown", "page_down", "Page down", show=False, key_display="PgDn", tooltip=_MOVE
        ),
        Binding("home,g", "first", "First", show=False, key_display="Home", tooltip=_MOVE),
        Binding("end,G", "last", "Last", show=False, key_display="End", tooltip=_MOVE),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "api-keys-table--header",
        "api-keys-table--cursor",
        "api-keys-table--active",
        "api-keys-table--revoked",
        "api-keys-table--expired",
        "api-keys-table--muted",
    }
    DEFAULT_CSS = """
    ApiKeysTable {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable; scrollbar-size-vertical: 1;  /* all seven columns at 120 */
        overflow-x: hidden;
    }
    ApiKeysTable > .api-keys-table--header { text-style: bold; color: $text; background: $panel; }
    ApiKeysTable > .api-keys-table--cursor { background: $block-cursor-blurred-background; }
    ApiKeysTable:focus > .api-keys-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    ApiKeysTable > .api-keys-table--active { color: $success; }
    ApiKeysTable > .api-keys-table--revoked { color: $error; }
    ApiKeysTable > .api-keys-table--expired { color: $warning; }
    ApiKeysTable > .api-keys-table--muted { color: $text-muted; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    filter_text: reactive[str] = reactive("", init=False, repaint=False)
    """Only keys whose name holds this (ignoring case) are shown."""
    sort_column: reactive[str] = reactive("created", init=False, repaint=False)
    """The key of the column the rows are sorted by: one of `columns.SORTABLE`."""
    sort_reversed: reactive[bool] = reactive(False, init=False, repaint=False)
    """True when the rows run against the column's first order (oldest first, Z to A…)."""

    class Highlighted(Message):
        """The cursor moved to `key` (None when the table is empty), or its key's data changed."""

        def __init__(self, table: ApiKeysTable, key: ApiKey | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ApiKeysTable:
            """The table, so `@on(ApiKeysTable.Highlighted, "#id")` can select it."""
            return self.table

    class SortChanged(Message):
        """The sort changed, or whether the header can show it (the count line says it otherwise)."""

        def __init__(self, table: ApiKeysTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ApiKeysTable:
            return self.table

    def __init__(
        self,
        *,
        clock: Clock = now_utc,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ):
        """`clock`: the time "3 days ago" and expiry are read against."""
        super().__init__(name=name, id=id, classes=classes)
        self._keys: dict[str, ApiKey] = {}  # insertion order = server order (newest first)
        self._rows: list[ApiKey] = []  # filtered and sorted: what the user sees
        self._folded: dict[str, str] = {}  # casefolded names, for filtering without re-folding
        self._clock = clock
        self._now = clock()
        self._columns: tuple[int, list[tuple[Column, int]]] = (-1, [])  # (width, layout) cache
        self._sort_was_in_header: bool | None = None
        self._highlighted: object = _NONE_YET  # the last `Highlighted`'s key
        self.generation = 0
        """Counts every change of the keys held, so a slow background fetch can tell it is stale."""

    # ---- data -------------------------------------------------------------------------

    @property
    def rows(self) -> list[ApiKey]:
        """The keys as shown: filtered and sorted."""
        return self._rows

    @property
    def all_keys(self) -> list[ApiKey]:
        """Every key loaded, in server order, whatever the filter."""
        return list(self._keys.values())

    @property
    def total(self) -> int:
        return len(self._keys)

    @property
    def selected_key(self) -> ApiKey | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row]
        return None

    def key_by_id(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def replace_keys(self, keys: Iterable[ApiKey], *, select_id: str | None = None) -> None:
        """Show `keys` (server order), keeping the cursor on the same key (or on `select_id`)."""
        keep = select_id or self._selected_id()
        self._keys = {key.id: key for key in keys}
        self._folded = {key.id: key.name.casefold() for key in self._keys.values()}
        self._recompute(keep)

    def append_keys(self, keys: Iterable[ApiKey]) -> None:
        """Add a page of keys as it arrives, without moving the cursor off the key it is on."""
        keep = self._selected_id()
        for key in keys:
            self._keys[key.id] = key
            self._folded[key.id] = key.name.casefold()
        self._recompute(keep)

    def upsert(self, key: ApiKey, *, select: bool = False) -> None:
        """Add or update one key in place; a new key goes to the head, as the server orders them."""
        keep = key.id if select else self._selected_id()
        if key.id not in self._keys:
            self._keys = {key.id: key, **self._keys}
        else:
            self._keys[key.id] = key
        self._folded[key.id] = key.name.casefold()
        self._recompute(keep)

    def remove_key(self, key_id: str) -> None:
        old_index = self.cursor_row
        keep = self._selected_id()
        self._keys.pop(key_id, None)
        self._folded.pop(key_id, None)
        if keep == key_id:
            keep = None
        self._recompute(keep, fallback_index=old_index)

    def validate_sort_column(self, column: str) -> str:
        if column not in columns.SORTABLE:
            raise ValueError(f"not sortable: {column}")
        return column

    def watch_filter_text(self) -> None:
        # The rows still hold the old view here: keep the cursor on the key it was on.
        self._recompute(self._selected_id())

    def watch_sort_column(self) -> None:
        self._sort_changed()

    def watch_sort_reversed(self) -> None:
        self._sort_changed()

    def _sort_changed(self) -> None:
        self._recompute(self._selected_id())
        self.post_message(self.SortChanged(self))

    def sort_by(self, column: str) -> None:
        """Sort by `column` in its first order; if it is already the sort, reverse it."""
        if column == self.sort_column:
            self.sort_reversed = not self.sort_reversed
            return
        self.validate_sort_column(column)
        self.set_reactive(ApiKeysTable.sort_reversed, False)
        self.sort_column = column

    def cycle_sort(self) -> str:
        """Sort by the next column in `columns.SORTABLE`, in its first order; returns its key."""
        index = columns.SORTABLE.index(self.sort_column)
        self.sort_by(columns.SORTABLE[(index + 1) % len(columns.SORTABLE)])
        return self.sort_column

    def reverse_sort(self) -> None:
        self.sort_reversed = not self.sort_reversed

    @property
    def sort_descending(self) -> bool:
        """The rows run from the largest down: newest, most recently used, Z to A."""
        return self._sort_spec.sort_reverse != self.sort_reversed

    @property
    def sort_label(self) -> str:
        """The sort in words with its arrow: "created ▼"."""
        return f"{self.sort_column.replace('_', ' ')} {'▼' if self.sort_descending else '▲'}"

    def _sort_in_column(self) -> bool:
        """The sorted column is on screen with room for its arrow."""
        return any(
            column.key == self.sort_column and len(column.title) + columns.ARROW <= width
            for column, width in self.shown_columns
        )

    def _name_title(self, width: int) -> str:
        sorted_shown = self.sort_column == "name" or self._sort_in_column()
        return columns.name_title(self.sort_label, sorted_shown, width)

    @property
    def sort_in_header(self) -> bool:
        """The header shows the sort: on its column, or after "Name" when that column is hidden.

        Before the table is laid out, True (as it is on terminals 55 columns wide or more): the first frame's
        count line must not say it only to take it back (a resize posts `SortChanged`).
        """
        if not self.scrollable_content_region.width:
            return True
        if self._sort_in_column():
            return True
        name_width = next((w for c, w in self.shown_columns if c.key == "name"), 0)
        return self._name_title(name_width) != "Name"

    @property
    def _sort_spec(self) -> Column:
        return next(c for c in columns.COLUMNS if c.key == self.sort_column)

    def _selected_id(self) -> str | None:
        key = self.selected_key
        return key.id if key else None

    def _recompute(self, keep_id: str | None, *, fallback_index: int | None = None) -> None:
        self.generation += 1
        needle = self.filter_text.casefold()
        if needle:
            folded = self._folded
            rows = [k for k in self._keys.values() if needle in folded[k.id]]
        else:
            rows = list(self._keys.values())
        if self.sort_column != "created" or self.sort_reversed:  # the server's: newest first
            column = self._sort_spec
            rows.sort(key=column.sort_key, reverse=column.sort_reverse != self.sort_reversed)
        self._rows = rows
        index = 0
        if keep_id is not None:
            for i, key in enumerate(rows):
                if key.id == keep_id:
                    index = i
                    break
            else:
                index = min(fallback_index or self.cursor_row, max(len(rows) - 1, 0))
        elif fallback_index is not None:
            index = min(fallback_index, max(len(rows) - 1, 0))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._now = self._clock()
        self.cursor_row = index
        self.refresh()

    # ---- cursor -----------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        self._scroll_cursor_into_view()
        if round(self.scroll_y) != top:
            self.refresh()
        else:  # only the rows the cursor left and reached change (line 0 is the header)
            self.refresh(*(Region(0, r - top + 1, self.size.width, 1) for r in {old, new}))
        # When the key or its data (a new ApiKey) changes, not on every recompute.
        key = self.selected_key
        if key is not self._highlighted:
            self._highlighted = key
            self.post_message(self.Highlighted(self, key))

    def _scroll_cursor_into_view(self) -> None:
        height = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= max(self.scrollable_content_region.height - 2, 1)

    def action_page_down(self) -> None:
        self.cursor_row += max(self.scrollable_content_region.height - 2, 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None and column.key in columns.SORTABLE:
                self.sort_by(column.key)  # the sorted header again: reversed
            return
        row = event.y - 1 + round(self.scroll_y)
        if 0 <= row < len(self._rows):
            self.cursor_row = row

    # ---- rendering --------------------------------------------------------------------

    @property
    def shown_columns(self) -> list[tuple[Column, int]]:
        """The columns that fit the width, with their widths; worked out once per width."""
        width = self.scrollable_content_region.width
        if self._columns[0] != width:
            self._columns = (width, columns.fit_columns(width - 1))  # one cell of left padding
        return self._columns[1]

    def _column_at(self, x: int) -> Column | None:
        position = 1 + round(self.scroll_x)
        for column, width in self.shown_columns:
            if position <= x < position + width + columns.GAP:
                return column
            position += width + columns.GAP
        return None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self.shown_columns
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("api-keys-table--header")
            name_width = next((w for c, w in layout if c.key == "name"), 0)
            text = columns.header_text(
                layout, self._name_title(name_width), self.sort_column, self.sort_descending
            )
            return Strip([Segment(set_cell_size(text, width), base + header)], width)
        row = y - 1 + round(self.scroll_y)
        if row >= len(self._rows):
            return Strip.blank(width, base)
        key = self._rows[row]
        if row == self.cursor_row:
            # The cursor's colours sit on top of every cell's own (status colour included).
            base = base + self.get_component_rich_style("api-keys-table--cursor")
            styles = {"name": base, "status": base, "muted": base}
        else:
            status = self.get_component_rich_style(f"api-keys-table--{key.status}")
            muted = self.get_component_rich_style("api-keys-table--muted")
            styles = {"name": base, "status": base + status, "muted": base + muted}
        segments = [Segment(*self.mark_cell(key, base))]
        gap = Segment(" " * columns.GAP, base)
        for index, (text, role) in enumerate(columns.row_cells(layout, key, self._now)):
            segments.extend(
                [gap, Segment(text, styles[role])] if index else [Segment(text, styles[role])]
            )
        used = sum(cell_len(segment.text) for segment in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments, max(used, width)).crop(0, width)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)
        self._scroll_cursor_into_view()
        in_header = self.sort_in_header
        if in_header != self._sort_was_in_header:
            self._sort_was_in_header = in_header
            self.post_message(self.SortChanged(self))
