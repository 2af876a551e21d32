"""KeyDetails: the selected key's exact times, id and scopes, its last events, and its requests
per day as a sparkline; it fetches the usage and events itself (attributes down: the pane only
says which key)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual.worker import Worker

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.audit_words import recent_text
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import ApiKey, AuditEvent, UsageDay
from ticos_tui.core.present import lineage_text, scopes_summary
from ticos_tui.core.sanitize import literal
from ticos_tui.core.timefmt import Clock, exact, now_utc

if TYPE_CHECKING:
    from textual.widgets import Sparkline


_SEP = "  ·  "


def _lines(units: Sequence[Text], width: int | None) -> Text:
    """`units` joined by " · ", a new line where the next would pass `width`: never wrapped inside one.

    A timestamp ("created 2026-11-25 12:00:00 UTC") is one unit: a narrow panel breaks between
    units, so no value is split over two lines (a unit wider than the panel still wraps).
    """
    out = Text()
    used = 0
    for index, unit in enumerate(units):
        if index and width is not None and used + len(_SEP) + unit.cell_len > width:
            out.append("\n")
            used = 0
        elif index:
            out.append(_SEP)
            used += len(_SEP)
        out.append_text(unit)
        used += unit.cell_len
    return out


def describe(key: ApiKey, width: int | None = None) -> Text:
    """Lines about `key` with exact UTC times, for the details panel `width` cells wide."""
    scopes = scopes_summary(key)
    # Every unit from the server, not just the name, shows literally.
    first = [literal(key.name), literal(key.id), literal(f"scopes: {scopes}")]
    parts = [f"created {exact(key.created_at)}", f"last used {exact(key.last_used_at)}"]
    if key.revoked_at:
        parts.append(f"revoked {exact(key.revoked_at)}")
    elif key.expires_at:
        verb = "expired" if key.status == "expired" else "stops working"
        parts.append(f"{verb} {exact(key.expires_at)}")
    else:
        parts.append("never expires")
    times = _lines([Text(part) for part in parts], width)
    times.stylize("dim")
    text = Text.assemble(_lines(first, width), "\n", times)
    lineage = lineage_text(key)
    if lineage:  # the ids in full, and the key that goes to the other key
        text.append(f"\n{lineage}  (l: go to it)")
    return text


def related_id(key: ApiKey | None) -> str | None:
    """The key `l` goes to from `key`: the one it was rolled into, else the one it replaces."""
    if key is None:
        return None
    return key.replaced_by or key.replaces


def usage_summary(key: ApiKey, days: Sequence[UsageDay], now: datetime) -> Text:
    """ "112 requests in the last 30 days": the details line above says when it was last used."""
    total = sum(day.requests for day in days)
    return Text(
        f"{total:,} request{'s' if total != 1 else ''} in the last {len(days)} days", style="dim"
    )


RECENT_EVENTS = 3  # the selected key's last events (the Activity section has them all)
SETTLE = 0.25  # seconds: a key passed within this of the last is not fetched (scrolling)


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What was fetched for a key, and when: reused for 30 s while the key is unchanged."""

    at: float  # time.monotonic()
    key: ApiKey
    days: list[UsageDay]
    events: list[AuditEvent]


class KeyDetails(Vertical):
    """The selected key's details, and its usage: a sparkline and a line of words.

    The usage row's sparkline and words are mounted after the first frame (`compose_rest`);
    the row keeps their height meanwhile. It holds what it shows: what it is told before they
    are in shows once they are.
    """

    DEFAULT_CSS = """
    KeyDetails { height: auto; max-height: 9; padding: 0 1; border-top: solid $panel-lighten-2; }
    KeyDetails #details-text { height: auto; }
    KeyDetails #events-text { height: 1; }
    KeyDetails #usage-row { height: 2; margin-top: 1; }
    /* The words keep their width (never cut); the sparkline gives way on a narrow terminal. */
    KeyDetails #usage-sparkline { width: 1fr; max-width: 32; height: 2; margin-right: 2; }
    KeyDetails #usage-text { width: auto; max-width: 100%; height: 2; }
    """

    def __init__(
        self, get_backend: GetBackend, *, clock: Clock = now_utc, id: str | None = None
    ) -> None:
        """`get_backend`: where the selected key's usage and events are asked for."""
        super().__init__(id=id)
        self._clock = clock
        self._get_backend = get_backend
        self._fetched: dict[str, _Fetched] = {}  # by key id, reused 30 s while it is unchanged
        self._fetching: tuple[str, Worker[None]] | None = None  # a key's fetch, on the way
        self._changed_at = -SETTLE  # time.monotonic() the selected key last changed
        self._settle = 0.0  # how long the next fetch waits for the cursor to rest
        self._key_id: str | None = None  # whose usage is shown (or loading)
        self._details = Text("")
        self._key: ApiKey | None = None
        self._usage: list[int] | None = None  # requests per day; None: no sparkline
        self._usage_text = Text("")
        self._events_text = Text("")
        self._sparkline: Sparkline | None = None
        self._usage_words: Static | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._details, id="details-text")
        yield Static(self._events_text, id="events-text")
        yield Horizontal(id="usage-row")

    async def compose_rest(self) -> None:
        """Mount the usage row's sparkline and words: what the first frame left out."""
        if self._sparkline is not None:
            return
        from textual.widgets import Sparkline  # imported after the first frame, not before

        self._sparkline = Sparkline([], id="usage-sparkline", summary_function=max)
        self._usage_words = Static(Text(""), id="usage-text")
        self._show_usage()
        await self.query_one("#usage-row").mount(self._sparkline, self._usage_words)

    def _show_usage(self) -> None:
        if self._sparkline is not None:
            # An empty sparkline draws a flat line: with no usage to show, it is hidden.
            self._sparkline.data = self._usage or []
            self._sparkline.visible = self._usage is not None
        if self._usage_words is not None:
            self._usage_words.update(self._usage_text)

    def show_key(self, key: ApiKey | None) -> None:
        """Show `key`; the same key again (its data refreshed) keeps its usage on screen."""
        self._key = key
        self._show_details()
        key_id = key.id if key is not None else None
        if key_id != self._key_id or key_id is None:
            self._key_id = key_id
            now = time.monotonic()
            # The first key after a pause is fetched at once; one passed while scrolling waits.
            self._settle = SETTLE if now - self._changed_at < SETTLE else 0.0
            self._changed_at = now
            self._usage = None
            self._usage_text = Text("Usage: loading…", style="dim") if key else Text("")
            self._show_usage()
            self._show_events(Text("Recent: loading…", style="dim") if key else Text(""))
        # The same key's data refreshed while its usage is on the way: let that fetch finish.
        if key is not None and not self._on_the_way(key.id):
            self._fetching = (key.id, self._fetch(key))

    def _on_the_way(self, key_id: str) -> bool:
        """A fetch of `key_id` runs and was not cancelled (a move to another key cancels it)."""
        if self._fetching is None:
            return False
        fetching, worker = self._fetching
        return fetching == key_id and not worker.is_cancelled and not worker.is_finished

    @work(exclusive=True, group="key-details", exit_on_error=False)
    async def _fetch(self, key: ApiKey) -> None:
        """`key`'s last 30 days and last events; while scrolling, only for the key the cursor
        rests on (`_settle`). A key whose data changed (renamed, revoked, used) asks again."""
        fetched = self._fetched.get(key.id)
        if fetched is None or time.monotonic() - fetched.at > 30 or fetched.key != key:
            try:
                if self._settle:
                    await asyncio.sleep(self._settle)  # a newer key cancels this worker
                client = await self._get_backend()
                days, page = await asyncio.gather(
                    client.usage(key.id, days=30),
                    client.audit_events_page(key_id=key.id, limit=RECENT_EVENTS),
                    return_exceptions=True,
                )
            except TicosError as err:  # no client to ask
                self._show_fetched(key, err, err)
                return
            for answer in (days, page):
                if isinstance(answer, BaseException) and not isinstance(answer, TicosError):
                    raise answer
            events = page if isinstance(page, BaseException) else page.events
            if isinstance(days, BaseException) or isinstance(events, BaseException):
                self._show_fetched(key, days, events)  # what came, and why the rest did not
                return
            fetched = _Fetched(time.monotonic(), key, days, events)
            self._fetched[key.id] = fetched
        self._show_fetched(key, fetched.days, fetched.events)

    def _show_fetched(
        self,
        key: ApiKey,
        days: list[UsageDay] | BaseException,
        events: list[AuditEvent] | BaseException,
    ) -> None:
        """Show `key`'s usage and events (or why not), if it is still the one shown."""
        shown = self._key
        if shown is None or shown.id != key.id:
            return
        if isinstance(days, BaseException):
            self.show_usage_error(str(days))
        else:
            self.show_usage(shown, days)
        if isinstance(events, BaseException):
            self.show_events_error(str(events))
        else:
            self.show_events(events)

    def _show_details(self) -> None:
        key = self._key
        width = self.content_region.width or None
        self._details = (
            describe(key, width) if key is not None else Text("No key selected.", style="dim")
        )
        for static in self.query("#details-text").results(Static):  # none until composed
            static.update(self._details)

    def on_resize(self) -> None:
        self._show_details()

    def show_usage(self, key: ApiKey, days: Sequence[UsageDay]) -> None:
        self._usage = [day.requests for day in days]
        self._usage_text = usage_summary(key, days, self._clock())
        self._show_usage()

    def show_usage_error(self, message: str) -> None:
        self._usage_text = literal(f"Usage unavailable: {message}")
        self._show_usage()

    def show_events(self, events: Sequence[AuditEvent]) -> None:
        """The key's last few audit events, newest first, on one line."""
        self._show_events(literal(recent_text(events, self._clock()), "dim"))

    def show_events_error(self, message: str) -> None:
        self._show_events(literal(f"Recent events unavailable: {message}", "dim"))

    def _show_events(self, text: Text) -> None:
        text.no_wrap, text.overflow = True, "ellipsis"  # one line; the Activity section has all
        self._events_text = text
        for static in self.query("#events-text").results(Static):  # none until composed
            static.update(text)
