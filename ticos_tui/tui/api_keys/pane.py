"""ApiKeysPane: "Your API Keys": the table with its loading, empty and error states, and every key action.

The pane is the layout, its bindings, and the filter and sort; the list's loading, quiet refresh
and the selected key's usage live in `KeysLoading` (tui/api_keys/loading.py), the key
actions in `KeyActions` (tui/api_keys/actions.py), which it inherits. It composes what the
first frame shows: the loading, empty and error views (tui/api_keys/views.py) only when due.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, ContentSwitcher, Input, Label

from ticos_tui.tui.api_keys.actions import KeyActions
from ticos_tui.tui.api_keys.details import KeyDetails, related_id
from ticos_tui.tui.api_keys.loading import (
    Body,
)
from ticos_tui.tui.api_keys.table import ApiKeysTable


class ApiKeysPane(KeyActions):
    """Owns the keys list: loads it in a worker, keeps the table current after each action."""

    DEFAULT_CSS = """
    ApiKeysPane { padding: 0 1; }
    ApiKeysPane .section-header { height: 1; margin: 1 0 1 0; }
    ApiKeysPane .section-header .section-title { width: auto; }
    ApiKeysPane #keys-count { width: 1fr; color: $text-muted; padding-left: 2; }
    ApiKeysPane #keys-filter { display: none; margin-bottom: 1; }
    ApiKeysPane.-filtering #keys-filter { display: block; }
    ApiKeysPane #keys-body { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Help first: at 80 columns the footer cuts the last bindings, and ? lists them all.
        Binding("question_mark", "app.help", "Help", key_display="?", tooltip="This help"),
        Binding("n", "create", "Create", tooltip="Create a new API key"),
        Binding("e", "rename", "Rename", tooltip="Rename the selected key"),
        Binding("d", "revoke", "Revoke", tooltip="Revoke the selected key (asks first)"),
        Binding(
            "delete,backspace",  # backspace: the Mac keyboard's delete key
            "delete",
            "Delete",
            tooltip="Delete the selected key (asks first)",
        ),
        Binding("c", "copy_id", "Copy id", tooltip="Copy the selected key's id"),
        Binding("r", "refresh", "Refresh", tooltip="Refresh the list (retry after an error)"),
        Binding("slash", "filter", "Filter", tooltip="Filter by name as you type (escape clears)"),
        Binding(
            "a",
            "screen.section('activity')",
            "Activity",
            tooltip="Activity: who created, renamed, rolled, revoked or deleted which key, from where",
        ),  # the screen's `a` too, from any section; here it is in the hints
        Binding(
            "s",
            "sort",
            "Sort",
            tooltip="Sort by the next column (click a header to sort by it, again to reverse)",
        ),
        Binding(
            "S",
            "reverse_sort",
            "Reverse sort",
            show=False,
            key_display="S",
            tooltip="Reverse the sort order (shift+s)",
        ),
        Binding(
            "o",
            "roll",
            "Roll",
            tooltip="Roll the selected key: a new key, the old one expires after a grace period",
        ),
        Binding(
            "v", "review", "Review", tooltip="Review: keys worth revoking or rolling, with reasons"
        ),
        Binding(
            "l",
            "lineage",
            "Related key",
            show=False,
            tooltip="Go to the key this one was rolled into (or, else, rolled from)",
        ),  # offered only on a key with roll lineage
        Binding("escape", "clear_filter", "Clear filter"),  # shown only while filtering
    ]

    _lineage_shown = False  # whether the selected key offers `l` (its bindings say so)

    # ---- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(classes="section-header"):
            yield Label(Text("Your API Keys"), classes="section-title")
            yield Label("", id="keys-count")
            yield Button(
                "Create New API Key",
                id="create-key",
                name="create",
                variant="primary",
                compact=True,
            )
        yield Input(
            placeholder="Filter by name…  (enter: back to the list, escape: clear)",
            id="keys-filter",
        )
        with ContentSwitcher(initial=Body.LOADING.value, id="keys-body"):
            yield self._new_view(Body.LOADING)
            yield ApiKeysTable(clock=self._clock, id=Body.TABLE.value)
        yield KeyDetails(self._get_backend, clock=self._clock, id="key-details")

    def on_mount(self) -> None:
        self._switch(self.state.body)
        self._update_count()
        self.load_keys()
        if self._refresh_interval:
            self.set_interval(self._refresh_interval, self.refresh_if_due)

    async def compose_rest(self) -> None:
        """Mount what the first frame left out: the selected key's usage."""
        await self.query_one(KeyDetails).compose_rest()

    @on(ApiKeysTable.SortChanged, "#keys-table")
    def _sort_changed(self) -> None:
        self._update_count()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button's name is the action it runs, as its key does."""
        if event.button.name:
            event.stop()
            await self.run_action(event.button.name)

    # ---- filter and sort --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.has_class("-filtering")  # hidden from the hints when there is none
        if action == "lineage":
            return related_id(self.table.selected_key) is not None
        return True

    @on(ApiKeysTable.Highlighted, "#keys-table")
    def _lineage_offered(self, event: ApiKeysTable.Highlighted) -> None:
        offered = related_id(event.key) is not None
        if offered != self._lineage_shown:  # the hints and help offer `l` only where it works
            self._lineage_shown = offered
            self.refresh_bindings()

    def action_lineage(self) -> None:
        target = related_id(self.table.selected_key)
        if target is None:
            return
        if self.table.key_by_id(target) is None:
            self.app.notify(f"{target} is no longer listed: it was deleted.", markup=False)
            return
        if target not in {k.id for k in self.table.rows}:
            self.action_clear_filter()  # the filter hid it: show the whole list again
        self.table.cursor_row = next(i for i, k in enumerate(self.table.rows) if k.id == target)
        self.table.focus()

    def key_hints(self) -> list[tuple[str, str]]:
        """Keys that work now but are no binding: enter, in the filter, goes back to the list."""
        if self.screen.focused is self.query_one("#keys-filter", Input):
            return [("enter", "Back to the list")]
        return []

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.refresh_bindings()
        self.query_one("#keys-filter", Input).focus()

    @on(Input.Changed, "#keys-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value
        self._update_count()

    @on(Input.Submitted, "#keys-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.table.total:
            self.table.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#keys-filter", Input)
        if not self.has_class("-filtering") and not field.value:
            return
        field.value = ""
        self.table.filter_text = ""
        self.remove_class("-filtering")
        self.refresh_bindings()
        self._update_count()
        if self.table.total:
            self.table.focus()
        else:
            self.query_one("#create-key", Button).focus()

    # No toast: the header (or the count line) shows the sort and its direction.
    def sort_by(self, column: str) -> None:
        """Sort by `column` (one of the table's SORTABLE keys), in its first order."""
        if self.table.sort_column != column:
            self.table.sort_by(column)

    def action_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()
