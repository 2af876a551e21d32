"""ReviewScreen: the keys a careful person would act on, with the reasons, and revoke/roll from there."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ticos_tui.core.review import ReviewItem
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.tui.dialogs import Dialog

NOTHING_TO_REVIEW = (
    "Nothing to review: every active key has been used recently, has a unique name, "
    "and none expires within a week."
)

LOADING = "Loading your keys… the review appears here once every key is in."


class ReviewScreen(Dialog[tuple[str, str] | None]):
    """Dismisses with ("revoke" | "roll", key id) for the chosen key, ("revoke-all", ""), or None."""

    DEFAULT_CSS = """
    ReviewScreen > Vertical { width: 100; max-height: 100%; }
    ReviewScreen .dialog-title { margin-bottom: 0; }
    ReviewScreen #review-summary { color: $text-muted; margin-bottom: 1; }
    ReviewScreen #review-items { height: auto; max-height: 24; }
    ReviewScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "revoke", "Revoke"),
        Binding("D", "revoke_all", "Revoke all listed", key_display="D"),
        Binding("o", "roll", "Roll"),
        Binding("escape,v", "close", "Close"),
    ]
    KEY_HINTS = (("up", "Move"),)

    def __init__(self, items: list[ReviewItem] | None, active_count: int = 0) -> None:
        """`items` None: the keys are still loading (`show` brings them in)."""
        super().__init__()
        self._items = items
        self._active = active_count

    def show(self, items: list[ReviewItem], active_count: int) -> None:
        """The review of every key, once they are all in."""
        self._items = items
        self._active = active_count
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Key review"), classes="dialog-title")
            if self._items is None:
                yield Static(Text(LOADING), id="review-summary")
                yield Static(Text("escape: close"), classes="hint")
                return
            count = len(self._items)
            summary = f"{count} of {self._active} active key{'s' if self._active != 1 else ''} worth a look."
            yield Static(Text(summary if count else NOTHING_TO_REVIEW), id="review-summary")
            if self._items:
                yield OptionList(*[self._option(item) for item in self._items], id="review-items")
                yield Static(self._hint(self._items[0]), classes="hint")
            else:
                yield Static(Text("escape: close"), classes="hint")

    @staticmethod
    def _option(item: ReviewItem) -> Option:
        title = Text.assemble(
            literal(item.key.name, style="bold"), visible(f"  {item.key.snippet}  {item.key.id}")
        )
        # A grid, so a reason that wraps goes on under its words, not at the left edge.
        reasons = Table.grid()
        reasons.add_column(width=4, no_wrap=True)
        reasons.add_column()
        for reason in item.reasons:
            reasons.add_row("  • ", Text(reason))
        return Option(Group(title, reasons), id=item.key.id)

    @staticmethod
    def _hint(item: ReviewItem | None) -> Text:
        """The keys that work on `item`: a key being rolled is not offered a second roll."""
        if item is None or item.rollable:
            return Text("d: revoke · o: roll · D: revoke all listed · escape: close")
        return Text("d: revoke · D: revoke all listed · escape: close  (already being rolled)")

    def _chosen_item(self) -> ReviewItem | None:
        items = self.query(OptionList)
        if not items:
            return None
        index = items.first().highlighted
        return self._items[index] if index is not None and self._items else None

    def _chosen(self) -> str | None:
        item = self._chosen_item()
        return item.key.id if item is not None else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(".hint", Static).update(self._hint(self._chosen_item()))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "roll":
            item = self._chosen_item()
            return item is None or item.rollable
        return True

    def action_revoke(self) -> None:
        key_id = self._chosen()
        if key_id:
            self.dismiss(("revoke", key_id))

    def action_roll(self) -> None:
        item = self._chosen_item()
        if item is not None and item.rollable:
            self.dismiss(("roll", item.key.id))

    def action_revoke_all(self) -> None:
        """Every listed key, after one confirmation (the page asks, listing them)."""
        if self._items:
            self.dismiss(("revoke-all", ""))

    def action_close(self) -> None:
        self.dismiss(None)
