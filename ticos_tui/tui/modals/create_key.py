"""CreateKeyDialog: name a new key, validate as you type, create it, keep the dialog open on errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from ticos_tui.errors import TicosError
from ticos_tui.models import CreatedKey
from ticos_tui.sanitize import literal
from ticos_tui.validation import name_problem

CreateFunc = Callable[[str, list[str] | None, datetime | None], Awaitable[CreatedKey]]


class NameDialog(ModalScreen[object]):
    """A dialog around one validated name input; subclasses say what submitting does."""

    DEFAULT_CSS = """
    NameDialog { align: center middle; }
    NameDialog > Vertical {
        width: 72; max-width: 95%; height: auto; max-height: 95%; padding: 1 2;
        border: thick $primary 60%; background: $surface;
    }
    NameDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    NameDialog .field-label { margin-top: 1; }
    NameDialog .name-problem { color: $error; height: auto; min-height: 1; }
    NameDialog .name-problem.-ok { color: $text-muted; }
    NameDialog .server-error { color: $error; height: auto; display: none; }
    NameDialog .server-error.-shown { display: block; }
    NameDialog .progress { height: 1; display: none; }
    NameDialog.-busy .progress { display: block; }
    NameDialog .dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    NameDialog .dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    title_text = ""
    submit_label = "Save"
    help_text = "A name that says where the key is used, e.g. “Nightly Batch Script”."

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self._initial = initial
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Label("Name", classes="field-label")
            yield Input(
                value=self._initial,
                placeholder="Nightly Batch Script",
                id="name",
                select_on_focus=False,
            )
            yield Static("", classes="name-problem", id="name-problem")
            yield from self.compose_extra()
            yield Static("", classes="server-error", id="server-error")
            yield LoadingIndicator(classes="progress")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.submit_label, id="submit", variant="primary")

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._validate(self._initial)

    def _validate(self, value: str) -> bool:
        problem = name_problem(value) if value or self._initial else None
        label = self.query_one("#name-problem", Static)
        valid = name_problem(value) is None
        label.update(Text(problem) if problem else Text(self.help_text))
        label.set_class(problem is None, "-ok")
        self.query_one("#submit", Button).disabled = not valid or self.busy
        return valid

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._validate(event.value)

    @on(Input.Submitted, "#name")
    def _name_submitted(self) -> None:
        self._submit()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def _submit(self) -> None:
        value = self.query_one("#name", Input).value
        if self.busy or not self._validate(value):
            return  # a second enter while the request runs is ignored
        self._set_busy(True)
        self._run(value.strip())

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.set_class(busy, "-busy")
        self.query_one("#submit", Button).disabled = busy
        self.query_one("#name", Input).disabled = busy

    def show_error(self, message: str) -> None:
        error = self.query_one("#server-error", Static)
        error.update(literal(message))
        error.add_class("-shown")

    @work(exclusive=True, group="dialog-submit", exit_on_error=False)
    async def _run(self, name: str) -> None:
        try:
            result = await self.perform(name)
        except TicosError as err:
            self._set_busy(False)
            self.show_error(str(err))
            self.query_one("#name", Input).focus()
            self._validate(self.query_one("#name", Input).value)
            return
        self.dismiss(result)

    async def perform(self, name: str) -> object:
        raise NotImplementedError


class CreateKeyDialog(NameDialog):
    """Create a key; dismisses with the `CreatedKey` (the caller shows it once) or None."""

    title_text = "Create New API Key"
    submit_label = "Create"

    def __init__(self, create: CreateFunc) -> None:
        super().__init__()
        self._create = create

    def scopes(self) -> list[str] | None:
        return None

    def expires_at(self) -> datetime | None:
        return None

    async def perform(self, name: str) -> object:
        return await self._create(name, self.scopes(), self.expires_at())
