"""KeyCreatedDialog: the full key, shown this once, with copy buttons and the warning to store it safely."""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static
from textual.worker import Worker

from ticos_tui.core.models import CreatedKey
from ticos_tui.core.sanitize import literal
from ticos_tui.tui import clipboard
from ticos_tui.tui.dialogs import ConfirmDialog, Dialog
from ticos_tui.tui.type_ahead import KeyGate, key_gate

WARNING = (
    "This is the only time the full key is shown. Store it in an environment variable "
    "or a secret manager now: never in code, and never in git."
)


_BUTTON_LABELS = {
    "copy": ("Copy to clipboard (c)", "Copy (c)"),
    "copy-export": ("Copy as export (x)", "Export (x)"),
    "env-file": ("Append to .env… (a)", ".env… (a)"),
    "send-to": ("Send to… (s)", "Send… (s)"),
}


class KeyCreatedDialog(Dialog[None]):
    """Shows a new key once. The key lives only in this screen; closing it drops the last reference."""

    DEFAULT_CSS = """
    KeyCreatedDialog > Vertical { width: 80; border: thick $success 60%; }
    KeyCreatedDialog #full-key {
        width: 100%; padding: 0 1; background: $boost; text-style: bold; color: $text;
    }
    KeyCreatedDialog .warning { color: $warning; margin: 1 0; }
    KeyCreatedDialog #copy-status { color: $success; height: auto; }
    KeyCreatedDialog #copy-status.unconfirmed { color: $warning; }
    KeyCreatedDialog .dialog-buttons { height: auto; margin-top: 1; }
    KeyCreatedDialog .dialog-buttons Button { margin-right: 2; }
    KeyCreatedDialog .dialog-done { height: auto; margin-top: 1; align-horizontal: right; }
    KeyCreatedDialog .dialog-done Button { min-width: 10; }
    KeyCreatedDialog .dialog-done #send-to { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy key"),
        Binding("x", "copy_export", "Copy as export"),
        Binding("a", "env_file", "Append to .env"),
        Binding("s", "send_to", "Send to a secret store"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, created: CreatedKey, *, title: str = "API key created") -> None:
        super().__init__()
        self._created: CreatedKey | None = created
        self._title = title
        self._saved = False  # a confirmed copy or a written file: closing need not ask
        self._sent = False  # sent to the terminal's clipboard, which cannot confirm it
        self._copying: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        created = self._created
        assert created is not None
        with Vertical():
            yield Label(Text(self._title), classes="dialog-title")
            yield Static(literal(f"Name: {created.api_key.name}"))
            yield Static(Text(created.key, no_wrap=True, overflow="fold"), id="full-key")
            yield Static(Text("⚠ " + WARNING), classes="warning")
            yield Static("", id="copy-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_BUTTON_LABELS["copy"][0], id="copy", variant="primary", compact=True)
                yield Button(_BUTTON_LABELS["copy-export"][0], id="copy-export", compact=True)
                yield Button(_BUTTON_LABELS["env-file"][0], id="env-file", compact=True)
            with Horizontal(classes="dialog-done"):
                # On its own row: a fourth button beside the copies would not fit 60 columns.
                yield Button(_BUTTON_LABELS["send-to"][0], id="send-to", compact=True)
                yield Button("Done", id="done", compact=True)

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    def narrow_changed(self, narrow: bool) -> None:
        # Three buttons in a row fit 80 columns; narrower, their labels say less, never cut.
        for button_id, (wide, short) in _BUTTON_LABELS.items():
            self.query_one(f"#{button_id}", Button).label = short if narrow else wide

    def _copy(self, text: str, what: str) -> None:
        self.query_one("#done", Button).focus()  # the next enter closes, once this copy is done
        self._copying = self._run_copy(text, what)

    @work(exclusive=True, group="key-created-copy", exit_on_error=False)
    async def _run_copy(self, text: str, what: str) -> None:
        copied = await clipboard.copy_text(self.app, text)
        self._saved = self._saved or copied.confirmed
        self._sent = self._sent or not copied.confirmed
        status = self.query_one("#copy-status", Static)
        status.set_class(not copied.confirmed, "unconfirmed")
        status.update(Text(("✓ " if copied.confirmed else "⚠ ") + copied.sentence(what)))

    def action_copy(self) -> None:
        if self._created is not None:
            self._copy(self._created.key, "the key")

    def action_copy_export(self) -> None:
        if self._created is not None:
            self._copy(f"export TICOS_API_KEY={self._created.key}", "an export line")

    @on(Button.Pressed, "#copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    @on(Button.Pressed, "#copy-export")
    def _copy_export_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_export()

    @on(Button.Pressed, "#env-file")
    def _env_file_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_env_file()

    @work(exclusive=True, group="key-created-env")
    async def action_env_file(self) -> None:
        from ticos_tui.tui.api_keys.env_file import EnvFileDialog

        if self._created is None:
            return
        done = await self.app.push_screen_wait(EnvFileDialog(self._created.key))
        if done:
            self._saved = True
            status = self.query_one("#copy-status", Static)
            status.remove_class("unconfirmed")
            status.update(literal(f"✓ {done}"))
            self.query_one("#done", Button).focus()

    @on(Button.Pressed, "#send-to")
    def _send_to_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send_to()

    @work(exclusive=True, group="key-created-send")
    async def action_send_to(self) -> None:
        from ticos_tui.tui.api_keys.send_key import send_from_dialog

        if self._created is not None and await send_from_dialog(self, self._created):
            self._saved = True

    @on(Button.Pressed, "#done")
    def _done_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    async def _may_close(self, gate: KeyGate | None) -> bool:
        """Whether to close: at once once the key is kept somewhere, else the user says."""
        if self._copying is not None:
            with contextlib.suppress(Exception):  # a failed copy simply leaves nothing confirmed
                await self._copying.wait()
        if self._saved:
            return True
        if self._sent:
            title = "Close without a confirmed copy?"
            body = (
                "The key was sent to your terminal's clipboard, which can't confirm it. "
                "Paste it somewhere to check first: it cannot be shown again. Close anyway?"
            )
        else:
            title = "Close without copying?"
            body = "You have not copied this key. Close anyway? It cannot be shown again."
        question = ConfirmDialog(
            title, Text(body), confirm_label="Close anyway", cancel_label="Go back"
        )
        answer = self.app.push_screen(question, wait_for_dismiss=True)
        if gate is not None:
            gate.release(self, answered=True)  # the question is up: the keys held are for it
        return bool(await answer)

    @work(exclusive=True, group="key-created-close")
    async def action_close(self) -> None:
        # Keys typed after the close wait for what it leads to: the question, or the page.
        gate = key_gate(self.app)
        if gate is not None:
            gate.answer_releases(self)
            gate.hold(self)
        try:
            if await self._may_close(gate):
                self._created = None  # the app keeps no reference to the key once this closes
                self.dismiss(None)
        finally:
            if gate is not None:
                gate.release(self, answered=True)
