"""KeysList: the keys list of the pane: its header line, the filter field, the body, and loading.

Workers only fetch: each posts what it got as a typed message (`PageIn`, `AllIn`, `LoadFailed`,
`Refreshed`), and the list applies it in its handler; `state` (one `ListState`,
replaced whole) says where the list stands. The pane (tui/api_keys/pane.py) holds the list, the
key details and the key actions; it changes the list through its methods, and hears from it by
its messages (`KeysShown`, `KeysLoaded`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import ApiKey
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.core.timefmt import Clock
from ticos_tui.tui.api_keys.marking import MarkableTable
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.api_keys.views import Body, KeysBody

REFRESH_INTERVAL = 30.0  # seconds between quiet refreshes of the list (Last Used stays current)
REFRESH_BACKOFF_CAP = 600.0  # while the server fails, the wait doubles up to this
FIRST_PAGE_SIZE = 100  # a screenful: drawn at once, the rest streams in after
PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class ListState:
    """What the keys list is doing, as one value: replaced whole (`dataclasses.replace`), so
    no two fields can disagree. (Which view the body shows is the body's: `KeysBody.wanted`.)"""

    loaded: bool = False  # every page of the first load is in
    refresh_failures: int = 0  # quiet refreshes failed in a row (they back off)
    next_refresh: float = 0.0  # while refreshes fail: time.monotonic() of the next try


def import_dialogs() -> None:
    """Import the dialogs the actions open: off the path to the first frame, before the first press."""
    from ticos_tui.tui import dialogs  # noqa: F401
    from ticos_tui.tui.api_keys import create, key_created, rename, roll  # noqa: F401


class KeysList(Vertical):
    """Owns the keys list: loads it in a worker, refreshes it quietly, shows its state."""

    DEFAULT_CSS = """
    KeysList { height: 1fr; }
    """  # the header, filter and body: as every section's (AccountSettingsScreen's CSS)

    # Namespaced as the pane's: the App's handlers keep their names (`on_api_keys_pane_…`).
    class KeysShown(Message, namespace="api_keys_pane"):
        """The first page of keys is in the table (or the empty state is up): the list is usable."""

    class KeysLoaded(Message, namespace="api_keys_pane"):
        """Every page of keys is in the table."""

    class PageIn(Message):
        """A page of the first load (`drawn`, on the first page: set once it is on screen)."""

        bubble = False

        def __init__(self, page: list[ApiKey], drawn: asyncio.Event | None) -> None:
            super().__init__()
            self.page = page
            self.drawn = drawn

    class AllIn(Message):
        """The load is done: `keys`, every key (None: the first load's pages were posted)."""

        bubble = False

        def __init__(self, keys: list[ApiKey] | None, select_id: str | None) -> None:
            super().__init__()
            self.keys = keys
            self.select_id = select_id

    class LoadFailed(Message):
        """A load failed: the server's words; `quiet`: it was a quiet refresh."""

        bubble = False

        def __init__(self, message: str, *, quiet: bool = False) -> None:
            super().__init__()
            self.message = message
            self.quiet = quiet

    class Refreshed(Message):
        """A quiet refresh fetched every key (`edits`: the table's generation when it began)."""

        bubble = False

        def __init__(self, keys: list[ApiKey], edits: int) -> None:
            super().__init__()
            self.keys = keys
            self.edits = edits

    def __init__(
        self,
        get_backend: GetBackend,
        *,
        clock: Clock,
        refresh_interval: float | None = REFRESH_INTERVAL,
        id: str | None = None,
    ) -> None:
        """`refresh_interval`: seconds between quiet refreshes of the list; None for none."""
        super().__init__(id=id)
        self._clock = clock
        self._get_backend = get_backend
        self.state = ListState()
        self._refresh_interval = refresh_interval
        self.table = ApiKeysTable(clock=clock, id=Body.TABLE.value)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="section-header"):
            yield Label(Text("Your API Keys"), classes="section-title")
            yield Label("", id="keys-count", classes="section-count")
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
            classes="section-filter",
        )
        yield KeysBody(self.table, self._switched, id="keys-body", classes="section-body")

    def on_mount(self) -> None:
        self._switched(self.body.wanted)
        self.update_count()
        self.load_keys()
        if self._refresh_interval:
            self.set_interval(self._refresh_interval, self.refresh_if_due)

    @property
    def loaded(self) -> bool:
        """Every page of the first load is in."""
        return self.state.loaded

    @property
    def body(self) -> KeysBody:
        return self.query_one(KeysBody)

    def _set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def _switched(self, state: Body) -> None:
        # Focused at once, not from the App's queue: on the first frame, that frame shows it
        # (no second drawing of the screen for the focus alone).
        focused = self.screen.focused
        if state is Body.TABLE:
            if not isinstance(focused, Input):
                self.screen.set_focus(self.table)
        elif focused is None or isinstance(focused, ApiKeysTable):
            self.screen.set_focus(self.query_one("#create-key", Button))

    def keys_changed(self) -> None:
        """After keys were added or taken out: the count, and the table or the empty view."""
        self.update_count()
        if self.body.wanted in (Body.TABLE, Body.EMPTY):
            wanted = Body.for_keys(self.table.total)
            if self.body.wanted != wanted:
                self.body.show(wanted)

    @on(MarkableTable.MarksChanged)
    @on(ApiKeysTable.SortChanged, "#keys-table")
    def update_count(self) -> None:
        """The header's count: how many keys, matched, marked; the sort when it is not shown."""
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
        marked = len(table.marked_keys())
        if marked:
            text += f" · {marked} marked"
        self.query_one("#keys-count", Label).update(Text(text))

    # ---- loading ----------------------------------------------------------------------

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def load_keys(self, select_id: str | None = None) -> None:
        """Fetch every key page by page. On the first load each page is posted as it comes (the
        first is drawn before the next is fetched); after that, all of them at the end."""
        first_load = not self.loaded
        if first_load:
            self.body.show(Body.LOADING)
        try:
            client = await self._get_backend()
            pages: list[ApiKey] = []
            drawn: asyncio.Event | None = asyncio.Event()
            # A screenful first (drawn at once), then big pages; after each page the loop
            # yields so the frame paints and key presses are handled between pages.
            async for page in client.iter_key_pages(
                page_size=PAGE_SIZE, first_page_size=FIRST_PAGE_SIZE
            ):
                if first_load:
                    self.post_message(self.PageIn(page, drawn))
                    if drawn is not None:
                        await drawn.wait()  # this screenful before the next page takes the loop
                        drawn = None
                else:
                    pages.extend(page)
                await asyncio.sleep(0)
        except TicosError as err:
            self.post_message(self.LoadFailed(str(err)))
            return
        self.post_message(self.AllIn(None if first_load else pages, select_id))

    @on(PageIn)
    def _page_in(self, message: PageIn) -> None:
        # A key created while the list loads is kept: it is the newest, first.
        self.table.append_keys(message.page)
        if message.drawn is not None:  # the first page
            self.body.show(Body.for_keys(self.table.total))
            self.post_message(self.KeysShown())
            self.call_after_refresh(self._first_page_drawn, message.drawn)
        self.update_count()

    def _first_page_drawn(self, drawn: asyncio.Event) -> None:
        drawn.set()
        self._import_dialogs()

    @work(thread=True, group="import-dialogs", exit_on_error=False)
    def _import_dialogs(self) -> None:
        # In a thread: most of it is Python code, but it yields the GIL every few milliseconds,
        # so pages keep streaming in and keys keep being handled while it runs.
        import_dialogs()

    @on(AllIn)
    async def _all_in(self, message: AllIn) -> None:
        if message.keys is not None:
            self.table.replace_keys(message.keys, select_id=message.select_id)
        self._refreshed()
        state = Body.for_keys(self.table.total)
        self.body.show(state)
        await self.body.shown(state)  # "loaded": its view is on screen
        self._set(loaded=True)
        self.update_count()
        self.post_message(self.KeysLoaded())

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        if message.quiet:
            self._refresh_failed(message)
            return
        if self.table.total:
            # Keep what the user already sees; say what happened and how to retry.
            self.app.notify(
                f"Could not refresh the keys: {visible(message.message)}\nPress r to retry.",
                title="Refresh failed",
                severity="error",
                markup=False,
                timeout=8,
            )
            self.body.show(Body.TABLE)
            return
        self.query_one("#keys-count", Label).update("")  # not loading any more: no count to give
        # Our words keep their line break; only the server's part is made visible.
        self.body.show_error(
            Text.assemble("Could not load your API keys.\n", literal(message.message))
        )

    # ---- quiet refresh ----------------------------------------------------------------

    @property
    def quiet_refresh_delay(self) -> float:
        """Seconds from one quiet refresh to the next: the interval, doubled per failure, capped."""
        base = self._refresh_interval or REFRESH_INTERVAL
        failures = min(self.state.refresh_failures, 30)
        return min(base * 2.0**failures, max(base, REFRESH_BACKOFF_CAP))

    def refresh_if_due(self) -> None:
        """Refresh quietly if it is time, the list is on screen, no dialog is open and no load runs."""
        if (
            self.loaded
            and all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))
            and self.screen.is_active  # no dialog over it
            and time.monotonic() >= self.state.next_refresh
            and not any(
                w.is_running and w.group == "keys-load" and w.node is self for w in self.app.workers
            )
        ):
            self.refresh_quietly()

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def refresh_quietly(self) -> None:
        """Fetch every key again and post them (`Refreshed`): swapped in at once, no Loading…,
        the cursor stays put. `r` (load_keys) replaces this worker."""
        edits = self.table.generation
        keys: list[ApiKey] = []
        try:
            client = await self._get_backend()
            async for page in client.iter_key_pages(page_size=PAGE_SIZE):
                keys.extend(page)
                await asyncio.sleep(0)
        except TicosError as err:
            self.post_message(self.LoadFailed(str(err), quiet=True))
            return
        self.post_message(self.Refreshed(keys, edits))

    @on(Refreshed)
    def _keys_refreshed(self, message: Refreshed) -> None:
        self._refreshed()
        if self.table.generation != message.edits:
            return  # a key created, renamed or revoked meanwhile: the next refresh brings it
        self.table.replace_keys(message.keys)
        self.keys_changed()

    def _refresh_failed(self, message: LoadFailed) -> None:
        self._set(refresh_failures=self.state.refresh_failures + 1)
        self._set(next_refresh=time.monotonic() + self.quiet_refresh_delay)
        if self.state.refresh_failures == 1:  # one notice per outage, however long
            self.app.notify(
                f"Could not refresh the keys: {visible(message.message)}\n"
                "Trying again less often; press r to retry now.",
                title="Refresh failed",
                severity="warning",
                markup=False,
                timeout=8,
            )

    def _refreshed(self) -> None:
        """The list was fetched: quiet refreshes go back to the timer's pace."""
        self._set(refresh_failures=0, next_refresh=0.0)
