"""ActivityPane: "Activity": the account's audit log as a table, filtered with `/`, followed while shown.

The fetching (first page behind the table's spinner, older pages as the cursor nears the end,
new events polled while shown) is `ActivityFeed`'s (tui/activity/feed.py); this is the layout,
the filter, the keys and the words.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, DataTable, Input, Label, Static

from ticos_tui.core.audit_words import event_line
from ticos_tui.core.models import AuditEvent
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.tui.activity.feed import ActivityFeed
from ticos_tui.tui.activity.rows import PADDING, Column, cells, fit_columns, matches
from ticos_tui.tui.activity.table import ActivityTable

NEAR_END = 5  # rows from the last one where the next older page is fetched
FILTER_PAGES = 10  # pages a filter (from `/` to escape) may fetch to fill the screen with matches
EMPTY_TEXT = "No activity yet: creating, renaming, rolling, revoking or deleting a key shows here."


class ActivityError(Vertical):
    """The first page failed: what happened, and how to retry."""

    DEFAULT_CSS = """
    ActivityError { padding: 1 2; }
    ActivityError #activity-error-message { color: $error; margin-bottom: 1; }
    ActivityError Button { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="activity-error-message")
        yield Static(Text("Press r to retry."))
        yield Button("Retry (r)", id="activity-retry", name="reload", compact=True)

    def show(self, message: Text) -> None:
        self.query_one("#activity-error-message", Static).update(message)


class ActivityPane(ActivityFeed):
    """Who did what to which key, from where: newest first, more as you scroll down."""

    DEFAULT_CSS = """
    ActivityPane { padding: 0 1; }
    ActivityPane #activity-table {
        height: 1fr; background: $surface; scrollbar-gutter: stable; scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    ActivityPane #activity-detail {
        height: auto; max-height: 5; padding: 0 1; border-top: solid $panel-lighten-2;
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "screen.section('api-keys')", "API Keys", tooltip="Back to the API keys"),
        Binding(
            "slash", "filter", "Filter", tooltip="Filter by key name or action (escape clears)"
        ),
        Binding("r", "reload", "Reload", tooltip="Load the activity again (retry after an error)"),
        Binding("escape", "clear_filter", "Clear filter"),  # shown only while filtering
    ]

    _columns: list[Column] | None = None
    _filter_pages = 0  # pages fetched for the current filter so far

    @property
    def table(self) -> ActivityTable:
        return self.query_one("#activity-table", ActivityTable)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="section-header"):
            yield Label(Text("Activity"), classes="section-title")
            yield Label(Text("Loading…"), id="activity-count", classes="section-count")
        yield Input(
            placeholder="Filter by key name or action…  (enter: back to the list, escape: clear)",
            id="activity-filter",
            classes="section-filter",
        )
        with ContentSwitcher(initial="activity-table", id="activity-body", classes="section-body"):
            yield ActivityTable(
                id="activity-table", cursor_type="row", cell_padding=PADDING, zebra_stripes=True
            )
            yield ActivityError(id="activity-error")
        yield Static(Text(""), id="activity-detail")

    def on_mount(self) -> None:
        self.reload()

    def on_show(self) -> None:
        super().on_show()
        self._update_count()  # says it follows

    def on_hide(self) -> None:
        super().on_hide()
        self._update_count()

    def reload(self) -> None:
        self.table.loading = True
        had_focus = self._has_focus()
        self.query_one("#activity-body", ContentSwitcher).current = "activity-table"
        if had_focus:
            self.screen.set_focus(
                self.table
            )  # the retry button is hidden now: keys keep reaching the pane
        super().reload()
        self._update_count()
        self._show_detail()  # nothing, until the events are in

    def _has_focus(self) -> bool:
        """Whether the focus is in this section (or nowhere, while it is shown).

        A focused widget in a hidden section counts as nowhere: the screen drops that focus on
        its next refresh, which may come before or after this section's events arrive.
        """
        focused = self.screen.focused
        if focused is None or not all(node.display for node in focused.ancestors_with_self):
            return self.display
        return focused is self or self in focused.ancestors

    def focus_body(self) -> None:
        """Focus what the section shows: the table, or the retry button after an error."""
        # At once, not from the App's queue: the section is usable as soon as it says loaded.
        if self.query_one("#activity-body", ContentSwitcher).current == "activity-error":
            self.screen.set_focus(self.query_one("#activity-retry", Button))
        else:
            self.screen.set_focus(self.table)

    # ---- what arrives -----------------------------------------------------------------

    @on(ActivityFeed.EventsIn)
    def _events_in(self, message: ActivityFeed.EventsIn) -> None:
        fresh = self.take(message)
        if message.generation != self._generation:
            return
        if message.kind == "first":
            self.table.loading = False
            self._rebuild()
            if self._has_focus():
                self.focus_body()
        elif message.kind == "older":
            self._add_rows(fresh)
        elif fresh:
            self._rebuild()  # the newest go on top: the cursor stays on its event
        self._update_count()
        self._fill()

    @on(ActivityFeed.FetchFailed)
    def _fetch_failed(self, message: ActivityFeed.FetchFailed) -> None:
        if message.generation != self._generation:
            return
        if message.kind == "newer":
            self.follow_failed(message.message)
        elif message.kind == "older":
            self.app.notify(
                f"Could not load older activity: {visible(message.message)}\n"
                "Move to the last row to try again.",
                title="Activity",
                severity="error",
                markup=False,
                timeout=8,
            )
        else:
            self.table.loading = False
            error = self.query_one(ActivityError)
            error.show(Text.assemble("Could not load the activity.\n", literal(message.message)))
            had_focus = self._has_focus()
            self.query_one("#activity-body", ContentSwitcher).current = "activity-error"
            if had_focus:
                self.focus_body()
        self._update_count()

    # ---- the table --------------------------------------------------------------------

    def _shown_events(self) -> list[AuditEvent]:
        wanted = self.query_one("#activity-filter", Input).value
        return [e for e in self.events if matches(e, wanted)]

    def _rebuild(self) -> None:
        """Lay the table out again: its columns fitted to its width, the filtered events in."""
        table = self.table
        selected = self._selected()
        self._columns = fit_columns(self._table_width())
        with self.app.batch_update():
            table.clear(columns=True)
            for column in self._columns:
                table.add_column(Text(column.title), width=column.width, key=column.key)
            self._add_rows(self._shown_events())
            if selected is not None and selected.id in table.rows:
                table.move_cursor(row=table.get_row_index(selected.id), scroll=False)
        self._show_detail()

    def _add_rows(self, events: list[AuditEvent]) -> None:
        if self._columns is None:
            return
        wanted = self.query_one("#activity-filter", Input).value
        now = self._clock()
        for event in events:
            if matches(event, wanted):
                self.table.add_row(*cells(event, self._columns, now), key=event.id)

    def _selected(self) -> AuditEvent | None:
        table = self.table
        if not self.loaded or not table.row_count:  # reloading: what it shows is on its way out
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((e for e in self.events if e.id == row_key.value), None)

    def _show_detail(self) -> None:
        event = self._selected()
        detail = self.query_one("#activity-detail", Static)
        if event is not None:
            detail.update(literal(event_line(event)))
        elif not self.loaded:
            detail.update("")
        elif self.query_one("#activity-filter", Input).value:
            detail.update(Text("No event loaded matches the filter."))
        else:
            detail.update(Text(EMPTY_TEXT))

    def _table_width(self) -> int:
        """The cells the table's columns share: the pane's, less its padding and the scrollbar."""
        return max(self.size.width - 3, 20)

    def on_resize(self, event: events.Resize) -> None:
        if self._columns is not None and fit_columns(self._table_width()) != self._columns:
            self._rebuild()

    @on(DataTable.RowHighlighted, "#activity-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if event.cursor_row >= self.table.row_count - NEAR_END:
            self.fetch_older()

    def _fill(self) -> None:
        """Fetch older pages while the filtered rows do not fill the table (a few at most)."""
        table = self.table
        if table.row_count < table.size.height + NEAR_END:
            if not self.query_one("#activity-filter", Input).value:
                self.fetch_older()
            elif self._filter_pages < FILTER_PAGES and self.next_cursor is not None:
                if not self.fetching_older:
                    self._filter_pages += 1
                self.fetch_older()

    def _update_count(self) -> None:
        count = self.query_one("#activity-count", Label)
        if not self.loaded:
            loading = self.query_one("#activity-body", ContentSwitcher).current == "activity-table"
            count.update(Text("Loading…" if loading else ""))
            return
        total, more = len(self.events), self.next_cursor is not None
        wanted = self.query_one("#activity-filter", Input).value
        what = f"{'newest ' if more else ''}event{'s' if total != 1 else ''}"
        if wanted:
            text = f"{self.table.row_count} of the {total} {what} match “{visible(wanted)}”"
        else:
            text = f"{total} {what}" + (", older ones as you scroll" if more else "")
        if self._follow_failures:
            text += " · new events: retrying"
        elif self.following:
            text += " · following"
        count.update(Text(text))

    # ---- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.has_class("-filtering")
        return True

    def action_reload(self) -> None:
        self.reload()

    def action_filter(self) -> None:
        if not self.has_class("-filtering"):
            self._filter_pages = 0
        self.add_class("-filtering")
        self.refresh_bindings()
        self.query_one("#activity-filter", Input).focus()

    @on(Input.Changed, "#activity-filter")
    def _filter_changed(self) -> None:
        if self.loaded:
            self._rebuild()
            self._update_count()
            self._fill()

    @on(Input.Submitted, "#activity-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#activity-filter", Input)
        field.value = ""  # Input.Changed lays the table out again
        self.remove_class("-filtering")
        self.refresh_bindings()
        self.table.focus()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.name:
            event.stop()
            await self.run_action(event.button.name)
