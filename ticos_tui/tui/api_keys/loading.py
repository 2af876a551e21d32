"""The keys list of the pane: loading it page by page, its state, and quiet refreshes.

`KeysLoading` is the base of `ApiKeysPane` (tui/api_keys/pane.py), which adds the layout and,
through `KeyActions` (tui/api_keys/actions.py), every key action.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.containers import Vertical
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Button, ContentSwitcher, Input, Label

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import ApiKey
from ticos_tui.core.review import ReviewItem
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.api_keys.details import KeyDetails
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.api_keys.views import EmptyView, ErrorView, LoadingView

if TYPE_CHECKING:
    from ticos_tui.tui.api_keys.review_screen import ReviewScreen

REFRESH_INTERVAL = 30.0  # seconds between quiet refreshes of the list (Last Used stays current)
REFRESH_BACKOFF_CAP = 600.0  # while the server fails, the wait doubles up to this
FIRST_PAGE_SIZE = 100  # a screenful: drawn at once, the rest streams in after
PAGE_SIZE = 1000


class Body(StrEnum):
    """What the pane's body shows: one state, named by the id of the view that shows it."""

    LOADING = "keys-loading"
    TABLE = "keys-table"
    EMPTY = "keys-empty"
    ERROR = "keys-error"

    @classmethod
    def for_keys(cls, total: int) -> Body:
        """The list as it stands: the table, or the empty view when there are no keys."""
        return cls.TABLE if total else cls.EMPTY


@dataclass(frozen=True, slots=True)
class ListState:
    """What the keys list is doing, as one value: replaced whole (`dataclasses.replace`), so
    no two fields can disagree."""

    body: Body = Body.LOADING  # the view wanted in the body (it may still be mounting)
    loaded: bool = False  # every page of the first load is in
    error: Text | None = None  # the error view's words, when the first load failed
    refresh_failures: int = 0  # quiet refreshes failed in a row (they back off)
    next_refresh: float = 0.0  # while refreshes fail: time.monotonic() of the next try


def import_dialogs() -> None:
    """Import the dialogs the actions open: off the path to the first frame, before the first press."""
    from ticos_tui.tui import dialogs  # noqa: F401
    from ticos_tui.tui.api_keys import create, key_created, rename, roll  # noqa: F401


class KeysLoading(Vertical):
    """Owns the keys list: loads it in a worker, refreshes it quietly, shows its state."""

    # Posted as `ApiKeysPane.KeysShown` / `.KeysLoaded`: the handlers keep the pane's name.
    class KeysShown(Message, namespace="api_keys_pane"):
        """The first page of keys is in the table (or the empty state is up): the list is usable."""

    class KeysLoaded(Message, namespace="api_keys_pane"):
        """Every page of keys is in the table."""

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
        self._clock = clock
        self._get_backend = get_backend
        self.state = ListState()
        self._views: dict[Body, Widget] = {}  # the views composed so far, by id
        self._mounting: dict[Body, AwaitMount] = {}  # those still being mounted
        self._refresh_interval = refresh_interval
        self._review: ReviewScreen | None = None  # the open review, filled in once keys load

    @property
    def loaded(self) -> bool:
        """Every page of the first load is in."""
        return self.state.loaded

    def _set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    @property
    def table(self) -> ApiKeysTable:
        return self.query_one(ApiKeysTable)

    def _new_view(self, state: Body) -> Widget:
        """The view of `state` (not the table), composed now and kept for next time."""
        view: Widget
        if state is Body.LOADING:
            view = LoadingView(id=state.value)
        elif state is Body.EMPTY:
            view = EmptyView(id=state.value)
        else:
            view = ErrorView(self.state.error or Text(""), id=state.value)
        self._views[state] = view
        return view

    def _show(self, state: Body) -> None:
        """Show `state` in the body; a view shown for the first time is mounted, then shown."""
        self._set(body=state)
        if state is not Body.TABLE and state not in self._views:
            view = self._new_view(state)
            view.display = False  # the switcher shows it once it is in
            self._mounting[state] = self.query_one("#keys-body").mount(view, before=self.table)
            self.call_later(self._shown, state)
        elif state not in self._mounting:
            self._switch(state)
        # else: still mounting; `_shown` shows it if it is still the one wanted

    async def _shown(self, state: Body) -> None:
        """Wait until the view of `state` is in; show it if it is still the one wanted."""
        mounting = self._mounting.get(state)
        if mounting is not None:
            await mounting
            self._mounting.pop(state, None)
        view = self._views.get(state)
        if self.state.body == state and (view is None or view.is_attached):  # (not when quitting)
            self._switch(state)

    def _switch(self, state: Body) -> None:
        self.query_one("#keys-body", ContentSwitcher).current = state.value
        # Focused at once, not from the App's queue: on the first frame, that frame shows it
        # (no second drawing of the screen for the focus alone).
        focused = self.screen.focused
        if state is Body.TABLE:
            if not isinstance(focused, Input):
                self.screen.set_focus(self.table)
        elif focused is None or isinstance(focused, ApiKeysTable):
            self.screen.set_focus(self.query_one("#create-key", Button))

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
        marked = len(table.marked_keys())
        if marked:
            text += f" · {marked} marked"
        self.query_one("#keys-count", Label).update(Text(text))

    # ---- loading ----------------------------------------------------------------------

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def load_keys(self, select_id: str | None = None) -> None:
        """Fetch every key page by page; the first page shows at once, the rest stream in."""
        table = self.table
        first_load = not self.loaded
        if first_load:
            self._show(Body.LOADING)
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
        await self._all_in()

    async def _all_in(self) -> None:
        state = Body.for_keys(self.table.total)
        self._show(state)
        await self._shown(state)  # "loaded": its view is on screen
        self._set(loaded=True)
        self._update_count()
        if self._review is not None:
            self._review.show(*self._review_items())
        self.post_message(self.KeysLoaded())

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
            and self.display
            and self.screen.is_active  # no dialog over it
            and time.monotonic() >= self.state.next_refresh
            and not any(
                w.is_running and w.group == "keys-load" and w.node is self for w in self.app.workers
            )
        ):
            self.refresh_quietly()

    class Refreshed(Message):
        """A quiet refresh fetched every key (`edits`: the table's generation when it began)."""

        bubble = False

        def __init__(self, keys: list[ApiKey], edits: int) -> None:
            super().__init__()
            self.keys = keys
            self.edits = edits

    class RefreshFailed(Message):
        """A quiet refresh failed: the server's words."""

        bubble = False

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    @work(exclusive=True, group="keys-load", exit_on_error=False)
    async def refresh_quietly(self) -> None:
        """Fetch every key again and post them (`Refreshed`): swapped in at once, no Loading…,
        the cursor stays put. `r` (load_keys) replaces this worker."""
        edits = self.table.generation
        keys: list[ApiKey] = []
        try:
            client = await self._get_backend()
            async for page in client.iter_key_pages(page_size=1000):
                keys.extend(page)
                await asyncio.sleep(0)
        except TicosError as err:
            self.post_message(self.RefreshFailed(str(err)))
            return
        self.post_message(self.Refreshed(keys, edits))

    @on(Refreshed)
    def _keys_refreshed(self, message: Refreshed) -> None:
        self._refreshed()
        table = self.table
        if table.generation != message.edits:
            return  # a key created, renamed or revoked meanwhile: the next refresh brings it
        table.replace_keys(message.keys)
        self._update_count()
        state = self.state.body
        if state in (Body.TABLE, Body.EMPTY):
            wanted = Body.for_keys(table.total)
            if state != wanted:
                self._show(wanted)

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
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

    def _show_first_page(self, page: list[ApiKey]) -> None:
        # A key created while the list loads is kept: it is the newest, first.
        self.table.append_keys(page)
        self._show(Body.for_keys(self.table.total))
        self._update_count()
        self.post_message(self.KeysShown())

    async def _first_page_in(self, page: list[ApiKey]) -> None:
        self._show_first_page(page)
        await self._first_page_drawn()

    async def _first_page_drawn(self) -> None:
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
            self._show(Body.TABLE)
            return
        # Our words keep their line break; only the server's part is made visible.
        error = Text.assemble("Could not load your API keys.\n", literal(message))
        self._set(error=error)
        view = self._views.get(Body.ERROR)
        if isinstance(view, ErrorView):
            view.show(error)
        self.query_one("#keys-count", Label).update("")  # not loading any more: no count to give
        self._show(Body.ERROR)

    # ---- the selected key ---------------------------------------------------------------

    @on(ApiKeysTable.Highlighted, "#keys-table")
    def _highlighted(self, event: ApiKeysTable.Highlighted) -> None:
        self.query_one(KeyDetails).show_key(event.key)  # it fetches the key's usage and events

    def _review_items(self) -> tuple[list[ReviewItem], int]:
        from ticos_tui.core.review import review_keys

        keys = self.table.all_keys
        active = sum(1 for k in keys if k.status == "active")
        return review_keys(keys, now=self._clock()), active
