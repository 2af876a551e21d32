"""ApiKeysPane: "Your API Keys": the keys list, the selected key's details, every key action.

Three parts, each a class of its own, none inherited: the list (`KeysList`, tui/api_keys/
keys_list.py: header, filter field, table or its loading, empty and error views, and loading
them), the details (`KeyDetails`), and the actions (`KeyActions`, tui/api_keys/actions.py). The
pane holds the bindings, the filter and the sort, and applies what the actions' workers post
(tui/api_keys/changes.py) to the list.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Input

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.api_keys.actions import KeyActions
from ticos_tui.tui.api_keys.changes import BulkDone, KeyRolled, KeysChanged
from ticos_tui.tui.api_keys.details import KeyDetails, related_id
from ticos_tui.tui.api_keys.keys_list import REFRESH_INTERVAL, KeysList
from ticos_tui.tui.api_keys.table import ApiKeysTable


class ApiKeysPane(Vertical):
    """The keys list and the selected key's details, with the key actions' bindings."""

    DEFAULT_CSS = """
    ApiKeysPane { padding: 0 1; }
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

    # Its messages (the list's): the first page is usable; every page is in.
    KeysShown = KeysList.KeysShown
    KeysLoaded = KeysList.KeysLoaded

    _lineage_shown = False  # whether the selected key offers `l` (its bindings say so)

    def __init__(
        self,
        get_backend: GetBackend,
        *,
        refresh_interval: float | None = REFRESH_INTERVAL,
        clock: Clock = now_utc,
        id: str | None = None,
    ) -> None:
        """`refresh_interval`: seconds between quiet refreshes of the list; None for none.

        `clock`: the time the table, the details, the review and the dialogs read.
        """
        super().__init__(id=id)
        self._get_backend = get_backend
        self._clock = clock
        self.keys = KeysList(get_backend, clock=clock, refresh_interval=refresh_interval)
        self.actions = KeyActions(self, self.keys, get_backend, clock)

    @property
    def table(self) -> ApiKeysTable:
        return self.keys.table

    @property
    def loaded(self) -> bool:
        """Every page of the first load is in."""
        return self.keys.loaded

    def compose(self) -> ComposeResult:
        yield self.keys
        yield KeyDetails(self._get_backend, clock=self._clock, id="key-details")

    async def compose_rest(self) -> None:
        """Mount what the first frame left out: the selected key's usage."""
        await self.query_one(KeyDetails).compose_rest()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button's name is the action it runs, as its key does."""
        if event.button.name:
            event.stop()
            await self.run_action(event.button.name)

    # ---- the actions: run by `KeyActions`, their answers applied here -------------------

    def action_refresh(self) -> None:
        self.keys.load_keys()

    def action_create(self) -> None:
        self.actions.create()

    def action_rename(self) -> None:
        self.actions.rename()

    def action_revoke(self) -> None:
        self.actions.revoke()

    def action_delete(self) -> None:
        self.actions.delete()

    def action_roll(self) -> None:
        self.actions.roll()

    def action_review(self) -> None:
        self.actions.review()

    def action_copy_id(self) -> None:
        self.actions.copy_id()

    @on(KeysChanged)
    def _keys_changed(self, message: KeysChanged) -> None:
        for i, key in enumerate(message.upserts):
            self.table.upsert(key, select=message.select and i == 0)
        for key_id in message.removed:
            self.table.remove_key(key_id)
        self.keys.keys_changed()
        note = message.note
        if note is not None:
            self.app.notify(
                note.text,
                title=note.title,
                severity=note.severity,
                markup=False,
                timeout=note.timeout,
            )
        message.then()

    @on(KeyRolled)
    def _key_rolled(self, message: KeyRolled) -> None:
        self.actions.rolled(message)

    @on(BulkDone)
    def _bulk_done(self, message: BulkDone) -> None:
        self.actions.bulk.finish(message.outcome)
        self.keys.keys_changed()

    @on(KeysList.KeysLoaded)
    def _keys_loaded(self) -> None:
        self.actions.keys_loaded()  # (the message goes on up: the App hears it too)

    @on(ApiKeysTable.Highlighted, "#keys-table")
    def _highlighted(self, event: ApiKeysTable.Highlighted) -> None:
        self.query_one(KeyDetails).show_key(event.key)  # it fetches the key's usage and events
        offered = related_id(event.key) is not None
        if offered != self._lineage_shown:  # the hints and help offer `l` only where it works
            self._lineage_shown = offered
            self.refresh_bindings()

    # ---- filter and sort --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.keys.has_class("-filtering")  # hidden from the hints when there is none
        if action == "lineage":
            return related_id(self.table.selected_key) is not None
        return True

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
        self.keys.add_class("-filtering")
        self.refresh_bindings()
        self.query_one("#keys-filter", Input).focus()

    @on(Input.Changed, "#keys-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value
        self.keys.update_count()

    @on(Input.Submitted, "#keys-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.table.total:
            self.table.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#keys-filter", Input)
        if not self.keys.has_class("-filtering") and not field.value:
            return
        field.value = ""
        self.table.filter_text = ""
        self.keys.remove_class("-filtering")
        self.refresh_bindings()
        self.keys.update_count()
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
