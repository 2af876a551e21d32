"""RollKeyDialog: when the old key stops working, and when the new one expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ticos_tui.core.models import KEEP_LIFETIME, ApiKey, KeepLifetime
from ticos_tui.core.present import lifetime_text
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.api_keys.create import EXPIRY_CHOICES, expiry_from_choice
from ticos_tui.tui.dialogs import Dialog

GRACE_CHOICES: tuple[tuple[str, int], ...] = (
    ("Now: the old key stops working at once", 0),
    ("In 1 hour", 3600),
    ("In 24 hours", 86400),
    ("In 7 days", 604800),
)
KEEP = "keep"


@dataclass(frozen=True, slots=True)
class RollChoice:
    grace_seconds: int
    expires_at: datetime | KeepLifetime | None


def lifetime_label(key: ApiKey, now: datetime) -> str:
    """The first expiry choice: the old key's lifetime again, from now."""
    lifetime = lifetime_text(key)
    return (
        "Never, like the old key"
        if lifetime is None
        else f"Same lifetime as the old key: {lifetime}"
    )


class RollKeyDialog(Dialog[RollChoice | None]):
    """Dismisses with the grace period and the new key's expiry, or None when cancelled."""

    DEFAULT_CSS = """
    RollKeyDialog > Vertical { width: 68; border: thick $warning 60%; }
    RollKeyDialog OptionList { height: auto; margin: 0 0 1 0; }
    RollKeyDialog .field-label { margin-top: 1; }
    RollKeyDialog.-short OptionList { margin: 0; }
    RollKeyDialog .hint { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    KEY_HINTS = (("enter", "Roll"), ("tab", "Next list"))

    def __init__(self, key: ApiKey, *, clock: Clock = now_utc) -> None:
        super().__init__()
        self.prepare(key, clock=clock)

    def prepare(self, key: ApiKey, *, clock: Clock = now_utc) -> None:
        self._key = key
        self._clock = clock
        if self.is_mounted:  # kept: this key's words, and the choices back at their start
            self.query_one("#about", Static).update(self._about())
            self.query_one("#expiry", OptionList).replace_option_prompt(
                KEEP, lifetime_label(key, clock())
            )
            self._start()

    def _about(self) -> Text:
        return Text.assemble(
            "A new key replaces ",
            literal(self._key.name, style="bold"),
            f" ({visible(self._key.snippet)}) with the same name and scopes. "
            "When should the old key stop working?",
        )

    def compose(self) -> ComposeResult:
        now = self._clock()
        with Vertical():
            yield Label(Text("Roll API key"), classes="dialog-title")
            yield Static(self._about(), id="about")
            yield OptionList(
                *[Option(label, id=str(seconds)) for label, seconds in GRACE_CHOICES], id="grace"
            )
            yield Label("The new key expires", classes="field-label")
            yield OptionList(
                Option(lifetime_label(self._key, now), id=KEEP),
                *[Option(label, id=value) for label, value in EXPIRY_CHOICES if value != "date"],
                id="expiry",
            )
            yield Static(
                Text("tab: next list · enter: roll · escape: cancel"), classes="hint short-hidden"
            )

    def on_mount(self) -> None:
        self._start()

    def _start(self) -> None:
        grace = self.query_one("#grace", OptionList)
        grace.highlighted = 1  # an hour: time to deploy the new key before the old one stops
        self.query_one("#expiry", OptionList).highlighted = 0  # keep the lifetime
        self.set_focus(grace)

    def _highlighted(self, list_id: str) -> str:
        options = self.query_one(list_id, OptionList)
        index = options.highlighted or 0
        return options.get_option_at_index(index).id or ""

    def choice(self) -> RollChoice:
        grace = int(self._highlighted("#grace") or 0)
        expiry = self._highlighted("#expiry")
        if expiry == KEEP:
            return RollChoice(grace, KEEP_LIFETIME)
        return RollChoice(grace, expiry_from_choice(expiry, "", self._clock())[0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choice())

    def action_cancel(self) -> None:
        self.dismiss(None)
