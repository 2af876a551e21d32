"""ApiKeysPane: "Your API Keys": the table with its loading, empty and error states, and every key action."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, ContentSwitcher, Input, Label, LoadingIndicator, Static

from ticos_tui.backend import GetBackend, PagesAhead
from ticos_tui.errors import Conflict, TicosError
from ticos_tui.models import ApiKey, CreatedKey, UsageDay
from ticos_tui.prefetch import FIRST_PAGE_SIZE, PAGE_SIZE, ChildFailed
from ticos_tui.review import ReviewItem
from ticos_tui.sanitize import literal, visible
from ticos_tui.tui import clipboard
from ticos_tui.tui.api_keys.details import KeyDetails
from ticos_tui.tui.api_keys.table import ApiKeysTable

if TYPE_CHECKING:
    from ticos_tui.tui.api_keys.review import ReviewScreen
    from ticos_tui.tui.api_keys.roll import RollChoice

REFRESH_INTERVAL = 30.0  # seconds between quiet refreshes of the list (Last Used stays current)
REFRESH_BACKOFF_CAP = 600.0  # while the server fails, the wait doubles up to this


def _nothing() -> None:
    """What happens after an action when nothing is to follow it."""


EMPTY_TEXT = (
    "You have no API keys yet.\n\n"
    "Press n (or click “Create New API Key”) to create one. Use a separate key for each "
    "application, so you can revoke one without breaking the others."
)


def import_dialogs() -> None:
    """Import the dialogs the actions open: off the path to the first frame, before the first press."""
    from ticos_tui.tui import dialogs  # noqa: F401
    from ticos_tui.tui.api_keys import create, key_created, rename, roll  # noqa: F401


class ApiKeysPane(Vertical):
    """Owns the keys list: loads it in a worker, keeps the table current after each action."""

    DEFAULT_CSS = """
    ApiKeysPane { padding: 0 1; }
    ApiKeysPane .section-header { height: 1; margin: 1 0 1 0; }
    ApiKeysPane .section-header .section-title { width: auto; }
    ApiKeysPane #keys-count { width: 1fr; color: $text-muted; padding-left: 2; }
    ApiKeysPane #keys-filter { display: none; margin-bottom: 1; }
    ApiKeysPane.-filtering #keys-filter { display: block; }
    ApiKeysPane #keys-body { height: 1fr; }
    ApiKeysPane #keys-loading { align: center middle; }
    ApiKeysPane #keys-loading LoadingIndicator { height: 1; }
    ApiKeysPane #keys-loading Label { width: 100%; content-align: center middle; }
    ApiKeysPane #keys-empty, ApiKeysPane #keys-error { padding: 1 2; }
    ApiKeysPane #keys-error-message { color: $error; margin-bottom: 1; }
    ApiKeysPane #keys-retry { margin-top: 1; }
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
        Binding("escape", "clear_filter", "Clear filter"),  # shown only while filtering
    ]

    class KeysShown(Message):
        """The first page of keys is in the table (or the empty state is up): the list is usable."""

    class KeysLoaded(Message):
        """Every page of keys is in the table."""

    def __init__(
        self,
        get_backend: GetBackend,
        *,
        pages_ahead: PagesAhead | None = None,
        refresh_interval: float | None = REFRESH_INTERVAL,
        id: str | None = None,
    ) -> None:
        """`refresh_interval`: seconds between quiet refreshes of the list; None for none."""
        super().__init__(id=id)
        self._get_backend = get_backend
        self._pages_ahead = pages_ahead  # the first load's pages, fetched by a child process
        self.loaded = False
        self._usage_cache: dict[str, tuple[float, list[UsageDay]]] = {}
        self._usage_loading: str | None = None  # the key whose usage is being fetched
        self._refresh_interval = refresh_interval
        self._refresh_failures = 0
        self._next_refresh = 0.0  # while the server fails: time.monotonic() of the next try
        self._review: ReviewScreen | None = None  # the open review, filled in once keys load

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
        with ContentSwitcher(initial="keys-loading", id="keys-body"):
            with Vertical(id="keys-loading"):
                yield LoadingIndicator()
                yield Label("Loading…")
            with Vertical(id="keys-empty"):
                yield Static(Text(EMPTY_TEXT))
            with Vertical(id="keys-error"):
                yield Static("", id="keys-error-message")
                yield Static(Text("Press r to retry."))
                yield Button("Retry (r)", id="keys-retry", name="refresh", compact=True)
            yield ApiKeysTable(id="keys-table")
        yield KeyDetails(id="key-details")

    @property
    def table(self) -> ApiKeysTable:
        return self.query_one(ApiKeysTable)

    def on_mount(self) -> None:
        self.query_one("#create-key", Button).focus()
        self._update_count()
        self.load_keys()
        if self._refresh_interval:
            self.set_interval(self._refresh_interval, self.refresh_if_due)

    def _show(self, state: str) -> None:
        self.query_one("#keys-body", ContentSwitcher).current = state
        if state == "keys-table":
            if not isinstance(self.app.focused, Input):
                self.table.focus()
        elif self.app.focused is None or isinstance(self.app.focused, ApiKeysTable):
            self.query_one("#create-key", Button).focus()

    def _update_count(self) -> None:
        table = self.table
        total, shown = table.total, len(table.rows)
        text = f"{total} key{'s' if total != 1 else ''}"
        if table.filter_text:
            text = f"{shown} of {total} match “{visible(table.filter_text)}”"
        if not self.loaded:
            # Counts of a partial list would read as answers: say they are not final yet.
            text = f"{text} so far, loading…" if total else "Loading…"
        if total and not table.sort_in_header:  # hidden or too narrow for its arrow
            text += f" · sorted by {table.sort_label}"
        self.query_one("#keys-count", Label).update(Text(text))

    @on(ApiKeysTable.SortChanged, "#keys-table")
    def _sort_changed(self) -> None:
        self._update_count()

    # ---- loading ----------------------------------------------------------------------

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def load_keys(self, select_id: str | None = None) -> None:
        """Fetch every key page by page; the first page shows at once, the rest stream in."""
        table = self.table
        first_load = not self.loaded
        if first_load:
            self._show("keys-loading")
        pages_ahead, self._pages_ahead = self._pages_ahead, None  # for the first load only
        if first_load and pages_ahead is not None:
            shown = False
            try:
                async for page in pages_ahead():
                    if shown:
                        table.append_keys(page)
                        self._update_count()
                    else:
                        await self._first_page_in(page)
                        shown = True
                    await asyncio.sleep(0)
            except ChildFailed:
                # The client loads them; what is shown stays until its last page replaces it.
                first_load = not shown
            else:
                self._all_in()
                return
        try:
            client = await self._get_backend()
            pages: list[ApiKey] = []
            first_page = True
            # A screenful first (drawn at once), then big pages; after each page the loop
            # yields so the frame paints and key presses are handled between pages.
            async for page in client.iter_key_pages(
                page_size=PAGE_SIZE, first_page_size=FIRST_PAGE_SIZE
            ):
                if first_load:
                    if first_page:
                        await self._first_page_in(page)
                    else:
                        table.append_keys(page)
                    self._update_count()
                else:
                    pages.extend(page)
                first_page = False
                await asyncio.sleep(0)
        except TicosError as err:
            self._load_failed(str(err))
            return
        if not first_load:
            table.replace_keys(pages, select_id=select_id)
        self._refreshed()
        self._all_in()

    def _all_in(self) -> None:
        self.loaded = True
        self._show("keys-table" if self.table.total else "keys-empty")
        self._update_count()
        if self._review is not None:
            self._review.show(*self._review_items())
        self.post_message(self.KeysLoaded())

    # ---- quiet refresh ----------------------------------------------------------------

    @property
    def quiet_refresh_delay(self) -> float:
        """Seconds from one quiet refresh to the next: the interval, doubled per failure, capped."""
        base = self._refresh_interval or REFRESH_INTERVAL
        return min(base * 2 ** min(self._refresh_failures, 30), max(base, REFRESH_BACKOFF_CAP))

    def refresh_if_due(self) -> None:
        """Refresh quietly if it is time, the list is on screen, no dialog is open and no load runs."""
        if (
            self.loaded
            and self.display
            and self.screen.is_active  # no dialog over it
            and time.monotonic() >= self._next_refresh
            and not any(
                w.is_running and w.group == "keys-load" and w.node is self for w in self.app.workers
            )
        ):
            self.refresh_quietly()

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def refresh_quietly(self) -> None:
        """Fetch every key again and swap them in at once: no Loading…, the cursor stays put.

        `r` (load_keys) replaces this worker. A key created, renamed or revoked here while
        the pages arrive makes this copy stale: it is dropped, the next refresh brings it in.
        """
        table = self.table
        edits = table.generation
        keys: list[ApiKey] = []
        try:
            client = await self._get_backend()
            async for page in client.iter_key_pages(page_size=1000):
                keys.extend(page)
                await asyncio.sleep(0)
        except TicosError as err:
            self._refresh_failures += 1
            self._next_refresh = time.monotonic() + self.quiet_refresh_delay
            if self._refresh_failures == 1:  # one notice per outage, however long
                self.app.notify(
                    f"Could not refresh the keys: {visible(str(err))}\n"
                    "Trying again less often; press r to retry now.",
                    title="Refresh failed",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )
            return
        self._refreshed()
        if table.generation != edits:
            return
        table.replace_keys(keys)
        self._update_count()
        state = self.query_one("#keys-body", ContentSwitcher).current
        if state in ("keys-table", "keys-empty"):
            wanted = "keys-table" if table.total else "keys-empty"
            if state != wanted:
                self._show(wanted)

    def _refreshed(self) -> None:
        """The list was fetched: quiet refreshes go back to the timer's pace."""
        self._refresh_failures = 0
        self._next_refresh = 0.0

    async def _first_page_in(self, page: list[ApiKey]) -> None:
        # A key created while the list loads is kept: it is the newest, first.
        self.table.append_keys(page)
        self._show("keys-table" if self.table.total else "keys-empty")
        self._update_count()
        self.post_message(self.KeysShown())
        # Let this screenful be drawn before the next page takes the loop (appending 1,000 keys).
        drawn = asyncio.get_running_loop().create_future()
        self.call_after_refresh(drawn.set_result, None)
        await drawn
        self._import_dialogs()

    @work(thread=True, group="import-dialogs", exit_on_error=False)
    def _import_dialogs(self) -> None:
        # In a thread: most of it is Python code, but it yields the GIL every few milliseconds,
        # so pages keep streaming in and keys keep being handled while it runs.
        import_dialogs()

    def _load_failed(self, message: str) -> None:
        if self.table.total:
            # Keep what the user already sees; say what happened and how to retry.
            self.app.notify(
                f"Could not refresh the keys: {visible(message)}\nPress r to retry.",
                title="Refresh failed",
                severity="error",
                markup=False,
                timeout=8,
            )
            self._show("keys-table")
            return
        self.query_one("#keys-error-message", Static).update(
            # Our words keep their line break; only the server's part is made visible.
            Text.assemble("Could not load your API keys.\n", literal(message))
        )
        self.query_one("#keys-count", Label).update("")  # not loading any more: no count to give
        self._show("keys-error")

    # ---- table events -----------------------------------------------------------------

    @on(ApiKeysTable.Highlighted, "#keys-table")
    def _highlighted(self, event: ApiKeysTable.Highlighted) -> None:
        self.query_one(KeyDetails).show_key(event.key)
        # The same key's data refreshed while its usage is on the way: let that fetch finish.
        if event.key is not None and event.key.id != self._usage_loading:
            self.load_usage(event.key)

    @work(exclusive=True, group="usage", exit_on_error=False)
    async def load_usage(self, key: ApiKey) -> None:
        """The highlighted key's last 30 days; waits a moment so scrolling fetches nothing."""
        cached = self._usage_cache.get(key.id)
        if cached is None or time.monotonic() - cached[0] > 30:
            self._usage_loading = key.id
            try:
                await asyncio.sleep(0.25)
                client = await self._get_backend()
                days = await client.usage(key.id, days=30)
            except TicosError as err:
                self.query_one(KeyDetails).show_usage_error(str(err))
                return
            finally:
                if self._usage_loading == key.id:
                    self._usage_loading = None
            cached = (time.monotonic(), days)
            self._usage_cache[key.id] = cached
        selected = self.table.selected_key
        if selected is not None and selected.id == key.id:
            self.query_one(KeyDetails).show_usage(selected, cached[1])

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button's name is the action it runs, as its key does."""
        if event.button.name:
            event.stop()
            await self.run_action(event.button.name)

    # ---- filter and sort --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.has_class("-filtering")  # hidden from the hints when there is none
        return True

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

    # ---- actions ----------------------------------------------------------------------

    def _selected(self, verb: str) -> ApiKey | None:
        key = self.table.selected_key if self.loaded or self.table.total else None
        if key is None:
            wait = "The keys are still loading" if not self.loaded else f"Select a key to {verb}"
            self.app.notify(f"{wait} first.", severity="warning", timeout=3)
        return key

    def _error(self, title: str, err: TicosError) -> None:
        self.app.notify(visible(str(err)), title=title, severity="error", markup=False, timeout=8)

    def action_refresh(self) -> None:
        self.load_keys()

    @work(group="keys-copy", exit_on_error=False)
    async def action_copy_id(self) -> None:
        key = self._selected("copy")
        if key is None:
            return
        copied = await clipboard.copy_text(self.app, key.id)
        self.app.notify(
            visible(copied.sentence(f"the id {key.id}")),
            markup=False,
            timeout=3 if copied.confirmed else 8,
        )

    # Every action that opens a dialog pushes it before returning, never after an `await`:
    # the keys typed next are for that dialog (see tui/type_ahead.py). Requests that follow
    # an answer run in workers; a dialog that follows one opens from the answer's callback.

    def action_create(self) -> None:
        from ticos_tui.tui.api_keys.create import CreateKeyDialog  # imported ahead: import_dialogs

        async def create(
            name: str, scopes: list[str] | None, expires_at: datetime | None
        ) -> CreatedKey:
            client = await self._get_backend()
            return await client.create_key(name, scopes=scopes, expires_at=expires_at)

        self.app.push_screen(CreateKeyDialog(create), self._created)

    def _created(self, created: CreatedKey | None) -> None:
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        if created is None:
            return
        self.table.upsert(created.api_key, select=True)
        self._show("keys-table")
        self._update_count()
        self.app.push_screen(KeyCreatedDialog(created))

    def action_rename(self) -> None:
        from ticos_tui.tui.api_keys.rename import RenameKeyDialog

        key = self._selected("rename")
        if key is None:
            return

        async def rename(key_id: str, name: str) -> ApiKey:
            return await (await self._get_backend()).rename_key(key_id, name)

        self.app.push_screen(RenameKeyDialog(key, rename), lambda new: self._renamed(key, new))

    def _renamed(self, key: ApiKey, updated: ApiKey | None) -> None:
        if updated is None:
            return
        if updated is key:  # the same name: nothing was sent
            self.app.notify(visible(f"Name unchanged: “{key.name}”."), markup=False, timeout=3)
            return
        self.table.upsert(updated)
        self.app.notify(visible(f"Renamed to “{updated.name}”."), markup=False, timeout=3)

    def action_revoke(
        self, key_id: str | None = None, after: Callable[[], None] = _nothing
    ) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog

        key = self.table.key_by_id(key_id) if key_id else self._selected("revoke")
        if key is None:
            return after()
        if key.status == "revoked":
            self.app.notify(visible(f"“{key.name}” is already revoked."), markup=False, timeout=3)
            return after()
        body = Text.assemble(
            "Revoke ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            "Applications using this key will stop working immediately. This cannot be undone.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._revoke(key, after)
            else:
                after()

        self.app.push_screen(
            ConfirmDialog("Revoke API key", body, confirm_label="Revoke"), answered
        )

    @work(group="keys-revoke", exit_on_error=False)
    async def _revoke(self, key: ApiKey, after: Callable[[], None]) -> None:
        try:
            client = await self._get_backend()
            updated = await client.revoke_key(key.id)
        except TicosError as err:
            self._error("Revoke failed", err)
        else:
            self.table.upsert(updated)
            self.app.notify(visible(f"Revoked “{key.name}”."), markup=False, timeout=3)
        after()

    def action_delete(self) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog

        key = self._selected("delete")
        if key is None:
            return
        if key.status == "revoked":
            consequence = (
                "It is already revoked: no application can use it. Deleting removes it from "
                "every list. This cannot be undone."
            )
        else:
            consequence = (
                "The key is revoked and removed from every list. Applications using it stop "
                "working immediately. This cannot be undone."
            )
        body = Text.assemble(
            "Delete ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            consequence,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(key)

        self.app.push_screen(
            ConfirmDialog("Delete API key", body, confirm_label="Delete"), answered
        )

    @work(group="keys-delete", exit_on_error=False)
    async def _delete(self, key: ApiKey) -> None:
        try:
            client = await self._get_backend()
            await client.delete_key(key.id)
        except TicosError as err:
            self._error("Delete failed", err)
            return
        self.table.remove_key(key.id)
        self._update_count()
        if not self.table.total:
            self._show("keys-empty")
        self.app.notify(visible(f"Deleted “{key.name}”."), markup=False, timeout=3)

    def action_roll(self, key_id: str | None = None, after: Callable[[], None] = _nothing) -> None:
        from ticos_tui.tui.api_keys.roll import RollKeyDialog

        key = self.table.key_by_id(key_id) if key_id else self._selected("roll")
        if key is None:
            return after()
        if key.status != "active":
            self.app.notify(
                visible(f"“{key.name}” is {key.status}; only an active key can be rolled."),
                markup=False,
            )
            return after()

        def answered(choice: RollChoice | None) -> None:
            if choice is None:
                after()
            else:
                self._roll(key, choice, after)

        self.app.push_screen(RollKeyDialog(key), answered)

    @work(group="keys-roll", exit_on_error=False)
    async def _roll(self, key: ApiKey, choice: RollChoice, after: Callable[[], None]) -> None:
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        try:
            client = await self._get_backend()
            created = await client.roll_key(
                key.id, grace_seconds=choice.grace_seconds, expires_at=choice.expires_at
            )
        except TicosError as err:
            self._error("Roll failed", err)
            if isinstance(err, Conflict):  # rolled or revoked elsewhere: show how it is now
                self.load_keys(select_id=key.id)
            after()
            return
        try:
            self.table.upsert(await client.get_key(key.id))  # the old key now shows when it stops
        except TicosError:
            self.load_keys(select_id=created.api_key.id)
        self.table.upsert(created.api_key, select=True)
        self._update_count()
        self.app.push_screen(
            KeyCreatedDialog(created, title="Key rolled: here is the new key"),
            lambda _: after(),
        )

    def _review_items(self) -> tuple[list[ReviewItem], int]:
        from ticos_tui.review import review_keys
        from ticos_tui.timefmt import now_utc

        keys = self.table.all_keys
        active = sum(1 for k in keys if k.status == "active")
        return review_keys(keys, now=now_utc()), active

    def action_review(self) -> None:
        """Show the keys worth acting on; revoke or roll from there, then come back to the review."""
        from ticos_tui.tui.api_keys.review import ReviewScreen

        # While the keys load, the review says so, and fills in once they are all in.
        self._review = ReviewScreen(*self._review_items()) if self.loaded else ReviewScreen(None)
        self.app.push_screen(self._review, self._reviewed)

    def _reviewed(self, choice: tuple[str, str] | None) -> None:
        self._review = None
        if choice is None:
            return
        action, key_id = choice
        if action == "revoke":
            self.action_revoke(key_id, after=self.action_review)
        else:
            self.action_roll(key_id, after=self.action_review)
