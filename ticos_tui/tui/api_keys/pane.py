"""ApiKeysPane: "Your API Keys": the table with its loading, empty and error states, and every key action."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import ClassVar

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
from ticos_tui.sanitize import literal, visible
from ticos_tui.tui import clipboard
from ticos_tui.tui.api_keys.details import KeyDetails
from ticos_tui.tui.api_keys.table import ApiKeysTable

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
        Binding("delete", "delete", "Delete", tooltip="Delete the selected key (asks first)"),
        Binding("c", "copy_id", "Copy id", tooltip="Copy the selected key's id"),
        Binding("r", "refresh", "Refresh", tooltip="Refresh the list (retry after an error)"),
        Binding("slash", "filter", "Filter", tooltip="Filter by name as you type (escape clears)"),
        Binding(
            "s", "sort", "Sort", tooltip="Sort by the next column (click a header to sort by it)"
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
        Binding("escape", "clear_filter", "Clear filter", show=False),
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
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._get_backend = get_backend
        self._pages_ahead = pages_ahead  # the first load's pages, fetched by a child process
        self.loaded = False
        self._usage_cache: dict[str, tuple[float, list[UsageDay]]] = {}

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
        self.load_keys()

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
        self.query_one("#keys-count", Label).update(Text(text))

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
        self._all_in()

    def _all_in(self) -> None:
        self.loaded = True
        self._show("keys-table" if self.table.total else "keys-empty")
        self._update_count()
        self.post_message(self.KeysLoaded())

    async def _first_page_in(self, page: list[ApiKey]) -> None:
        self.table.replace_keys(page)
        self._show("keys-table" if page else "keys-empty")
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
            literal(f"Could not load your API keys.\n{message}")
        )
        self._show("keys-error")

    # ---- table events -----------------------------------------------------------------

    @on(ApiKeysTable.Highlighted, "#keys-table")
    def _highlighted(self, event: ApiKeysTable.Highlighted) -> None:
        self.query_one(KeyDetails).show_key(event.key)
        if event.key is not None:
            self.load_usage(event.key)

    @work(exclusive=True, group="usage", exit_on_error=False)
    async def load_usage(self, key: ApiKey) -> None:
        """The highlighted key's last 30 days; waits a moment so scrolling fetches nothing."""
        cached = self._usage_cache.get(key.id)
        if cached is None or time.monotonic() - cached[0] > 30:
            await asyncio.sleep(0.25)
            try:
                client = await self._get_backend()
                days = await client.usage(key.id, days=30)
            except TicosError as err:
                self.query_one(KeyDetails).show_usage_error(str(err))
                return
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

    def action_filter(self) -> None:
        self.add_class("-filtering")
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
        self._update_count()
        if self.table.total:
            self.table.focus()
        else:
            self.query_one("#create-key", Button).focus()

    def action_sort(self) -> None:
        column = self.table.cycle_sort()
        self.app.notify(f"Sorted by {column.replace('_', ' ')}", timeout=1.5)

    # ---- actions ----------------------------------------------------------------------

    def _selected(self, verb: str) -> ApiKey | None:
        key = self.table.selected_key if self.loaded or self.table.total else None
        if key is None:
            self.app.notify(f"Select a key to {verb} first.", severity="warning", timeout=3)
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

    @work(exclusive=True, group="keys-action", exit_on_error=False)
    async def action_create(self) -> None:
        from ticos_tui.tui.api_keys.create import CreateKeyDialog
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        client = await self._get_backend()

        async def create(
            name: str, scopes: list[str] | None, expires_at: datetime | None
        ) -> CreatedKey:
            return await client.create_key(name, scopes=scopes, expires_at=expires_at)

        created = await self.app.push_screen_wait(CreateKeyDialog(create))
        if created is None:
            return
        self.table.upsert(created.api_key, select=True)
        self.loaded = True
        self._show("keys-table")
        self._update_count()
        await self.app.push_screen_wait(KeyCreatedDialog(created))

    @work(exclusive=True, group="keys-action", exit_on_error=False)
    async def action_rename(self) -> None:
        from ticos_tui.tui.api_keys.rename import RenameKeyDialog

        key = self._selected("rename")
        if key is None:
            return
        client = await self._get_backend()
        updated = await self.app.push_screen_wait(RenameKeyDialog(key, client.rename_key))
        if updated is not None:
            self.table.upsert(updated)
            self.app.notify(visible(f"Renamed to “{updated.name}”."), markup=False, timeout=3)

    @work(exclusive=True, group="keys-action", exit_on_error=False)
    async def action_revoke(self, key_id: str | None = None) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog

        key = self.table.key_by_id(key_id) if key_id else self._selected("revoke")
        if key is None:
            return
        if key.status == "revoked":
            self.app.notify(visible(f"“{key.name}” is already revoked."), markup=False, timeout=3)
            return
        body = Text.assemble(
            "Revoke ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            "Applications using this key will stop working immediately. This cannot be undone.",
        )
        if not await self.app.push_screen_wait(
            ConfirmDialog("Revoke API key", body, confirm_label="Revoke")
        ):
            return
        try:
            client = await self._get_backend()
            updated = await client.revoke_key(key.id)
        except TicosError as err:
            self._error("Revoke failed", err)
            return
        self.table.upsert(updated)
        self.app.notify(visible(f"Revoked “{key.name}”."), markup=False, timeout=3)

    @work(exclusive=True, group="keys-action", exit_on_error=False)
    async def action_delete(self) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog

        key = self._selected("delete")
        if key is None:
            return
        body = Text.assemble(
            "Delete ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            "The key is revoked and removed from every list. Applications using it stop working "
            "immediately. This cannot be undone.",
        )
        if not await self.app.push_screen_wait(
            ConfirmDialog("Delete API key", body, confirm_label="Delete")
        ):
            return
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

    @work(exclusive=True, group="keys-action", exit_on_error=False)
    async def action_roll(self, key_id: str | None = None) -> None:
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
        from ticos_tui.tui.api_keys.roll import RollKeyDialog

        key = self.table.key_by_id(key_id) if key_id else self._selected("roll")
        if key is None:
            return
        if key.status != "active":
            self.app.notify(
                visible(f"“{key.name}” is {key.status}; only an active key can be rolled."),
                markup=False,
            )
            return
        choice = await self.app.push_screen_wait(RollKeyDialog(key))
        if choice is None:
            return
        try:
            client = await self._get_backend()
            created = await client.roll_key(
                key.id, grace_seconds=choice.grace_seconds, expires_at=choice.expires_at
            )
        except TicosError as err:
            self._error("Roll failed", err)
            if isinstance(err, Conflict):  # rolled or revoked elsewhere: show how it is now
                self.load_keys(select_id=key.id)
            return
        try:
            self.table.upsert(await client.get_key(key.id))  # the old key now shows when it stops
        except TicosError:
            self.load_keys(select_id=created.api_key.id)
        self.table.upsert(created.api_key, select=True)
        self._update_count()
        await self.app.push_screen_wait(
            KeyCreatedDialog(created, title="Key rolled: here is the new key")
        )

    @work(exclusive=True, group="keys-review", exit_on_error=False)
    async def action_review(self) -> None:
        """Show the keys worth acting on; revoke or roll from there, then come back to the review."""
        from ticos_tui.review import review_keys
        from ticos_tui.timefmt import now_utc
        from ticos_tui.tui.api_keys.review import ReviewScreen

        while True:
            keys = self.table.all_keys
            items = review_keys(keys, now=now_utc())
            active = sum(1 for k in keys if k.status == "active")
            choice = await self.app.push_screen_wait(ReviewScreen(items, active))
            if choice is None:
                return
            action, key_id = choice
            worker = self.action_revoke(key_id) if action == "revoke" else self.action_roll(key_id)
            await worker.wait()
