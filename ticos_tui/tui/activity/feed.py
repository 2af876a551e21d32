"""ActivityFeed: the audit log's pages, fetched in workers that post typed messages.

The first page loads behind the table's own `loading` spinner; older pages come as the cursor
nears the end (`next_cursor`); newer events are polled quietly while the section is shown
(since the newest event, told apart by id), less often while the service fails. `ActivityPane`
(tui/activity/pane.py) adds the layout, the filter and the keys.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from textual import work
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import AuditEvent
from ticos_tui.core.sanitize import visible
from ticos_tui.core.timefmt import Clock, now_utc

PAGE_SIZE = 100
FOLLOW_INTERVAL = 5.0  # seconds between polls for new events while the section is shown
FOLLOW_BACKOFF_CAP = 300.0  # while the service fails, the wait doubles up to this
NEWER_PAGES_CAP = 10  # a poll reads at most this many pages of new events (the rest: `r`)

Kind = Literal["first", "older", "newer"]


@dataclass(frozen=True, slots=True)
class Fetched:
    events: list[AuditEvent]
    next_cursor: str | None


class ActivityFeed(Vertical):
    """Holds the events loaded so far (newest first) and fetches more."""

    class EventsIn(Message):
        """A worker fetched `events`: the first page, an older page, or the new ones."""

        def __init__(self, kind: Kind, fetched: Fetched, generation: int) -> None:
            super().__init__()
            self.kind, self.fetched, self.generation = kind, fetched, generation

    class FetchFailed(Message):
        """A worker's request failed: `message` says what happened."""

        def __init__(self, kind: Kind, message: str, generation: int) -> None:
            super().__init__()
            self.kind, self.message, self.generation = kind, message, generation

    def __init__(
        self,
        get_backend: GetBackend,
        *,
        follow_interval: float | None = None,
        clock: Clock = now_utc,
        id: str | None = None,
    ) -> None:
        """`follow_interval`: seconds between polls for new events (None: `FOLLOW_INTERVAL`)."""
        super().__init__(id=id)
        self._get_backend = get_backend
        self._clock = clock
        self._follow_interval = follow_interval or FOLLOW_INTERVAL
        self.events: list[AuditEvent] = []  # newest first
        self._ids: set[str] = set()
        self.next_cursor: str | None = None  # of the next older page; None: all are in
        self.loaded = False  # the first page is in
        self._generation = 0  # a reload's; answers to an older one are dropped
        self._follow_failures = 0
        self._next_poll = 0.0
        self._timer: Timer | None = None

    # ---- fetching ---------------------------------------------------------------------

    def reload(self) -> None:
        """Start again from the newest page (`r`, and the first showing)."""
        self._generation += 1
        self.loaded = False
        self._fetch_first(self._generation)

    @work(exclusive=True, group="activity-first", exit_on_error=False)
    async def _fetch_first(self, generation: int) -> None:
        try:
            page = await (await self._get_backend()).audit_events_page(limit=PAGE_SIZE)
        except TicosError as err:
            self.post_message(self.FetchFailed("first", str(err), generation))
            return
        self.post_message(
            self.EventsIn("first", Fetched(page.events, page.next_cursor), generation)
        )

    @property
    def fetching_older(self) -> bool:
        return self._busy("activity-older")

    def _busy(self, prefix: str) -> bool:
        return any(
            w.is_running and w.node is self and w.group.startswith(prefix) for w in self.workers
        )

    def fetch_older(self) -> None:
        """The page after the oldest event loaded, unless all are in or it is on its way."""
        if self.loaded and self.next_cursor is not None and not self.fetching_older:
            self._fetch_older(self.next_cursor, self._generation)

    @work(exclusive=True, group="activity-older", exit_on_error=False)
    async def _fetch_older(self, cursor: str, generation: int) -> None:
        try:
            client = await self._get_backend()
            page = await client.audit_events_page(limit=PAGE_SIZE, cursor=cursor)
        except TicosError as err:
            self.post_message(self.FetchFailed("older", str(err), generation))
            return
        self.post_message(
            self.EventsIn("older", Fetched(page.events, page.next_cursor), generation)
        )

    @work(exclusive=True, group="activity-newer", exit_on_error=False)
    async def _fetch_newer(self, generation: int) -> None:
        """Every event since the newest one shown (the service's `since` includes it)."""
        since = self.events[0].at if self.events else None
        new: list[AuditEvent] = []
        cursor: str | None = None
        try:
            client = await self._get_backend()
            for _ in range(NEWER_PAGES_CAP):
                page = await client.audit_events_page(limit=PAGE_SIZE, since=since, cursor=cursor)
                fresh = [e for e in page.events if e.id not in self._ids]
                new.extend(fresh)
                cursor = page.next_cursor
                if cursor is None or len(fresh) < len(page.events):
                    break  # the end, or the events shown already
        except TicosError as err:
            self.post_message(self.FetchFailed("newer", str(err), generation))
            return
        self.post_message(self.EventsIn("newer", Fetched(new, None), generation))

    def take(self, message: ActivityFeed.EventsIn) -> list[AuditEvent]:
        """Keep the events of `message` (if it answers the current load); the ones added."""
        if message.generation != self._generation:
            return []
        if message.kind == "first":
            self._ids = set()  # a reload lists every event again, not only the unseen ones
        fresh = [e for e in message.fetched.events if e.id not in self._ids]
        self._ids.update(e.id for e in fresh)
        if message.kind == "first":
            self.events = fresh
            self.next_cursor, self.loaded = message.fetched.next_cursor, True
        elif message.kind == "older":
            self.events.extend(fresh)
            self.next_cursor = message.fetched.next_cursor
        else:
            self.events[:0] = fresh
            self._followed()
        return fresh

    # ---- following --------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """Whether new events are being polled for (only while the section is shown)."""
        return self._timer is not None

    def on_show(self) -> None:
        if self._timer is None:
            self._timer = self.set_interval(self._follow_interval, self.poll_if_due)

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def follow_delay(self) -> float:
        """Seconds to the next poll: the interval, doubled per failure in a row, capped."""
        base = self._follow_interval
        return float(min(base * 2 ** min(self._follow_failures, 30), max(base, FOLLOW_BACKOFF_CAP)))

    def poll_if_due(self) -> None:
        """Ask for new events if it is time and no fetch runs (the first load brings them)."""
        if self.loaded and not self._busy("activity-") and time.monotonic() >= self._next_poll:
            self._fetch_newer(self._generation)

    def _followed(self) -> None:
        self._follow_failures = 0
        self._next_poll = 0.0

    def follow_failed(self, message: str) -> None:
        """A poll failed: wait longer before the next, and say so once per outage."""
        self._follow_failures += 1
        self._next_poll = time.monotonic() + self.follow_delay
        if self._follow_failures == 1:
            self.app.notify(
                f"Could not check for new activity: {visible(message)}\n"
                "Trying again less often; press r to reload now.",
                title="Activity",
                severity="warning",
                markup=False,
                timeout=8,
            )
