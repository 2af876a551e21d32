"""SendToDialog: asks where to send a new key (`KIND:TARGET`); the key itself never enters it.

Dismisses with the parsed Destination, or None. A destination that cannot be parsed keeps the
prompt open with what to write; the sending (and its report) is the key-created dialog's.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ticos_tui.core.errors import UsageError
from ticos_tui.core.sanitize import literal
from ticos_tui.handoff.destinations import Destination, configured
from ticos_tui.tui.dialogs import Dialog

EXAMPLES = (
    "pass:ci/deploy · keyring · gh:TICOS_API_KEY@owner/repo · vault:secret/app#api_key · "
    "op:VAULT/TITLE · aws:NAME · gcloud:NAME · doppler:NAME · or a [[destinations]] name "
    "from config.toml. The key goes to the tool on its stdin only."
)


class SendToDialog(Dialog[Destination | None]):
    DEFAULT_CSS = """
    SendToDialog > Vertical { width: 72; max-width: 95%; }
    SendToDialog #send-problem { color: $error; height: auto; }
    SendToDialog .hint { color: $text-muted; margin-top: 1; }
    SendToDialog .dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    SendToDialog .dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    KEY_HINTS = (("enter", "Send"), ("tab", "Next"))

    def __init__(self, key_name: str, config_file: Path, last: str | None = None) -> None:
        super().__init__()
        self._key_name = key_name
        self._config_file = config_file
        self._last = last or ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Send the key to…"), classes="dialog-title")
            yield Static(Text(EXAMPLES, style="dim"))
            yield Label(
                "Destination" + (" (the last one used)" if self._last else ""), classes="hint"
            )
            yield Input(value=self._last, placeholder="pass:ci/deploy", id="send-dest")
            yield Static("", id="send-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="send-cancel", compact=True)
                yield Button("Send", id="send", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#send-dest", Input).focus()

    @on(Input.Submitted, "#send-dest")
    @on(Button.Pressed, "#send")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        text = self.query_one("#send-dest", Input).value
        try:
            dest = configured(text, self._key_name, self._config_file)
        except UsageError as err:
            self.query_one("#send-problem", Static).update(literal(str(err)))
            return
        self.dismiss(dest)

    @on(Button.Pressed, "#send-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
