"""RollKeyDialog: choose how long the old key keeps working after it is replaced."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ticos_tui.models import ApiKey
from ticos_tui.sanitize import literal, visible
from ticos_tui.tui.dialogs import Dialog

GRACE_CHOICES: tuple[tuple[str, int], ...] = (
    ("Now: the old key stops working at once", 0),
    ("In 1 hour", 3600),
    ("In 24 hours", 86400),
    ("In 7 days", 604800),
)


class RollKeyDialog(Dialog[int | None]):
    """Dismisses with the grace period in seconds, or None when cancelled."""

    DEFAULT_CSS = """
    RollKeyDialog > Vertical { width: 68; border: thick $warning 60%; }
    RollKeyDialog #grace { height: auto; margin: 1 0; }
    RollKeyDialog .hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, key: ApiKey) -> None:
        super().__init__()
        self._key = key

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Roll API key"), classes="dialog-title")
            yield Static(
                Text.assemble(
                    "A new key replaces ",
                    literal(self._key.name, style="bold"),
                    f" ({visible(self._key.snippet)}) with the same name and scopes. "
                    "When should the old key stop working?",
                )
            )
            yield OptionList(
                *[Option(label, id=str(seconds)) for label, seconds in GRACE_CHOICES], id="grace"
            )
            yield Static(Text("enter: roll · escape: cancel"), classes="hint")

    def on_mount(self) -> None:
        grace = self.query_one("#grace", OptionList)
        grace.highlighted = 1  # an hour: time to deploy the new key before the old one stops
        grace.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
