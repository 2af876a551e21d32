"""KeyDetails: the selected key's exact times, id and scopes (and, when loaded, its usage)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ticos_tui.models import ApiKey
from ticos_tui.sanitize import literal
from ticos_tui.timefmt import exact


def describe(key: ApiKey) -> Text:
    """Two lines about `key` with exact UTC times, for the details panel."""
    scopes = "full access (*)" if key.full_access else ", ".join(key.scopes) or "none"
    line1 = literal(f"{key.name}  ·  {key.id}  ·  scopes: {scopes}")
    parts = [f"created {exact(key.created_at)}", f"last used {exact(key.last_used_at)}"]
    if key.revoked_at:
        parts.append(f"revoked {exact(key.revoked_at)}")
    if key.expires_at:
        verb = "expired" if key.status == "expired" else "expires"
        parts.append(f"{verb} {exact(key.expires_at)}")
    else:
        parts.append("never expires")
    return Text.assemble(line1, "\n", Text("  ·  ".join(parts), style="dim"))


class KeyDetails(Vertical):
    DEFAULT_CSS = """
    KeyDetails { height: auto; max-height: 8; padding: 0 1; border-top: solid $panel-lighten-2; }
    KeyDetails #details-text { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="details-text")

    def show_key(self, key: ApiKey | None) -> None:
        text = describe(key) if key is not None else Text("No key selected.", style="dim")
        self.query_one("#details-text", Static).update(text)
