"""ConfirmDialog: a yes/no question (revoke, delete, close without copying); y / n / escape answer it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from ticos_tui.tui.dialogs import Dialog


class ConfirmDialog(Dialog[bool]):
    """Asks one question; dismisses with True (confirm) or False (cancel). Cancel has the focus."""

    DEFAULT_CSS = """
    ConfirmDialog > Vertical {
        width: 64; max-width: 95%; height: auto; padding: 1 2;
        border: thick $error 60%; background: $surface;
    }
    ConfirmDialog.-safe > Vertical { border: thick $primary 60%; }
    ConfirmDialog .dialog-title { width: 100%; }
    ConfirmDialog .dialog-body { width: 100%; margin-bottom: 1; }
    ConfirmDialog .dialog-buttons { height: auto; align-horizontal: right; }
    ConfirmDialog .dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "cancel", "No"),
    ]

    def __init__(
        self,
        title: str,
        body: Text | str,
        *,
        confirm_label: str = "Confirm",
        cancel_label: str = "Cancel",
        destructive: bool = True,
    ) -> None:
        super().__init__(classes="" if destructive else "-safe")
        self._title = title
        self._body = body
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._destructive = destructive

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="dialog-title")
            yield Static(
                self._body if isinstance(self._body, Text) else Text(self._body),
                classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._cancel_label} (n)", id="cancel")
                yield Button(
                    f"{self._confirm_label} (y)",
                    id="confirm",
                    variant="error" if self._destructive else "primary",
                )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
