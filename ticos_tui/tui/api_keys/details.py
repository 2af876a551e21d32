"""KeyDetails: the selected key's exact times, id and scopes, and its requests per day as a sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ticos_tui.core.models import ApiKey, UsageDay
from ticos_tui.core.present import lineage_text, scopes_summary
from ticos_tui.core.sanitize import literal
from ticos_tui.core.timefmt import Clock, exact, now_utc, relative

if TYPE_CHECKING:
    from textual.widgets import Sparkline


def describe(key: ApiKey) -> Text:
    """Two lines about `key` with exact UTC times, for the details panel."""
    scopes = scopes_summary(key)
    line1 = literal(f"{key.name}  ·  {key.id}  ·  scopes: {scopes}")
    parts = [f"created {exact(key.created_at)}", f"last used {exact(key.last_used_at)}"]
    if key.revoked_at:
        parts.append(f"revoked {exact(key.revoked_at)}")
    elif key.expires_at:
        verb = "expired" if key.status == "expired" else "stops working"
        parts.append(f"{verb} {exact(key.expires_at)}")
    else:
        parts.append("never expires")
    text = Text.assemble(line1, "\n", Text("  ·  ".join(parts), style="dim"))
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
    total = sum(day.requests for day in days)
    return Text(
        f"{total:,} request{'s' if total != 1 else ''} in the last {len(days)} days"
        f" · last used {relative(key.last_used_at, now, never='never')}",
        style="dim",
    )


class KeyDetails(Vertical):
    """The selected key's details, and its usage: a sparkline and a line of words.

    The usage row's sparkline and words are mounted after the first frame (`compose_rest`);
    the row keeps their height meanwhile. It holds what it shows: what it is told before they
    are in shows once they are.
    """

    DEFAULT_CSS = """
    KeyDetails { height: auto; max-height: 9; padding: 0 1; border-top: solid $panel-lighten-2; }
    KeyDetails #details-text { height: auto; }
    KeyDetails #usage-row { height: 2; margin-top: 1; }
    KeyDetails #usage-sparkline { width: 32; height: 2; margin-right: 2; }
    KeyDetails #usage-text { width: 1fr; height: 2; }
    """

    def __init__(self, *, clock: Clock = now_utc, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._key_id: str | None = None  # whose usage is shown (or loading)
        self._details = Text("")
        self._usage: list[int] | None = None  # requests per day; None: no sparkline
        self._usage_text = Text("")
        self._sparkline: Sparkline | None = None
        self._usage_words: Static | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._details, id="details-text")
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
        self._details = describe(key) if key is not None else Text("No key selected.", style="dim")
        for static in self.query("#details-text").results(Static):  # none until composed
            static.update(self._details)
        key_id = key.id if key is not None else None
        if key_id == self._key_id and key_id is not None:
            return
        self._key_id = key_id
        self._usage = None
        self._usage_text = Text("Usage: loading…", style="dim") if key else Text("")
        self._show_usage()

    def show_usage(self, key: ApiKey, days: Sequence[UsageDay]) -> None:
        self._usage = [day.requests for day in days]
        self._usage_text = usage_summary(key, days, self._clock())
        self._show_usage()

    def show_usage_error(self, message: str) -> None:
        self._usage_text = literal(f"Usage unavailable: {message}")
        self._show_usage()
