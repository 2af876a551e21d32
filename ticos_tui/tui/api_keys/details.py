"""KeyDetails: the selected key's exact times, id and scopes, and its requests per day as a sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from ticos_tui.models import ApiKey, UsageDay
from ticos_tui.present import scopes_summary
from ticos_tui.sanitize import literal
from ticos_tui.timefmt import Clock, exact, now_utc, relative


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
    return Text.assemble(line1, "\n", Text("  ·  ".join(parts), style="dim"))


def usage_summary(key: ApiKey, days: Sequence[UsageDay], now: datetime) -> Text:
    total = sum(day.requests for day in days)
    return Text(
        f"{total:,} request{'s' if total != 1 else ''} in the last {len(days)} days"
        f" · last used {relative(key.last_used_at, now, never='never')}",
        style="dim",
    )


class KeyDetails(Vertical):
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

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="details-text")
        with Horizontal(id="usage-row"):
            yield Sparkline([], id="usage-sparkline", summary_function=max)
            yield Static(Text(""), id="usage-text")

    def show_key(self, key: ApiKey | None) -> None:
        """Show `key`; the same key again (its data refreshed) keeps its usage on screen."""
        text = describe(key) if key is not None else Text("No key selected.", style="dim")
        self.query_one("#details-text", Static).update(text)
        key_id = key.id if key is not None else None
        if key_id == self._key_id and key_id is not None:
            return
        self._key_id = key_id
        sparkline = self.query_one("#usage-sparkline", Sparkline)
        sparkline.data = []
        sparkline.visible = False  # an empty sparkline draws a flat line: no usage to show
        self.query_one("#usage-text", Static).update(
            Text("Usage: loading…", style="dim") if key else Text("")
        )

    def show_usage(self, key: ApiKey, days: Sequence[UsageDay]) -> None:
        sparkline = self.query_one("#usage-sparkline", Sparkline)
        sparkline.data = [day.requests for day in days]
        sparkline.visible = True
        self.query_one("#usage-text", Static).update(usage_summary(key, days, self._clock()))

    def show_usage_error(self, message: str) -> None:
        self.query_one("#usage-text", Static).update(literal(f"Usage unavailable: {message}"))
