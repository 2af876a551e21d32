"""The dialog kit: `Dialog[T]` (a centred modal and its frame), `ConfirmDialog` and `NameDialog[T]`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from ticos_tui.errors import TicosError
from ticos_tui.sanitize import literal
from ticos_tui.tui.hints import KeyHints
from ticos_tui.validation import name_problem

ResultType = TypeVar("ResultType")
T = TypeVar("T")


class Dialog(ModalScreen[ResultType]):
    """A modal centred over the dimmed page, in a framed box; subclasses set its width (and colour)."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical, Dialog > VerticalScroll {
        height: auto; max-width: 100%; padding: 1 2;
        border: thick $primary 60%; background: $surface;
    }
    Dialog .dialog-title { text-style: bold; margin-bottom: 1; }
    """
    NARROW = 80
    """Below this many columns the dialog has the class `-narrow`: rows of choices stack, labels shorten."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.narrow_changed(narrow)

    def narrow_changed(self, narrow: bool) -> None:
        """The terminal crossed `NARROW`: a dialog whose labels need shortening does it here."""

    KEY_HINTS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("enter", "Press the focused button"),
        ("tab", "Next"),
    )
    """Keys that work here but are no binding of the dialog, for its hints line."""

    def key_hints(self) -> Iterable[tuple[str, str]]:
        return self.KEY_HINTS

    def on_mount(self) -> None:
        # Each dialog has its own hints line, over the page's: it shows the dialog's keys.
        self.mount(KeyHints(self.key_hints))


class ConfirmDialog(Dialog[bool]):
    """Asks one question; dismisses with True (confirm) or False (cancel). Cancel has the focus."""

    DEFAULT_CSS = """
    ConfirmDialog > Vertical { width: 64; max-width: 95%; border: thick $error 60%; }
    ConfirmDialog.-safe > Vertical { border: thick $primary 60%; }
    ConfirmDialog .dialog-title { width: 100%; }
    ConfirmDialog .dialog-body { width: 100%; margin-bottom: 1; }
    ConfirmDialog .dialog-buttons { height: auto; align-horizontal: right; }
    ConfirmDialog .dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown by `key_hints`, named after the buttons.
        Binding("y", "confirm", "Yes", show=False),
        Binding("n,escape", "cancel", "No", show=False),
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
                yield Button(f"{self._cancel_label} (n)", id="cancel", action="screen.cancel")
                yield Button(
                    f"{self._confirm_label} (y)",
                    id="confirm",
                    variant="error" if self._destructive else "primary",
                    action="screen.confirm",
                )

    def key_hints(self) -> Iterable[tuple[str, str]]:
        return (
            ("y", self._confirm_label),
            ("escape", self._cancel_label),
            ("enter", "Press the focused button"),
            ("tab", "Next button"),
        )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class NameDialog(Dialog[T | None]):
    """One validated name input; `perform` says what submitting does. Dismisses with its result, or None."""

    DEFAULT_CSS = """
    NameDialog > VerticalScroll { width: 76; max-height: 100%; }
    NameDialog .field-label { margin-top: 1; }
    NameDialog .name-problem { color: $error; height: auto; min-height: 1; }
    NameDialog .name-problem.-ok { color: $text-muted; }
    NameDialog .server-error { color: $error; height: auto; display: none; }
    NameDialog .server-error.-shown { display: block; }
    NameDialog .progress { height: 1; }
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
        self._tried = False  # enter was pressed: an empty name is then a problem to show
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll():
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
            # The progress indicator is mounted only while a request runs (see `_set_busy`).
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", action="screen.cancel")
                yield Button(
                    self.submit_label,
                    id="submit",
                    variant="primary",
                    action="screen.submit",
                    # As `_validate` will find it on mount: a change would restyle the button.
                    disabled=name_problem(self._initial) is not None,
                )

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def key_hints(self) -> Iterable[tuple[str, str]]:
        return (("enter", self.submit_label), ("tab", "Next field"))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._validate(self._initial)

    def options_problem(self) -> str | None:
        """What is wrong with the dialog's other fields (None when they are fine)."""
        return None

    def _validate(self, value: str | None = None) -> bool:
        if value is None:
            value = self.query_one("#name", Input).value
        problem = name_problem(value) if value or self._initial or self._tried else None
        label = self.query_one("#name-problem", Static)
        valid = name_problem(value) is None and self.options_problem() is None
        label.update(Text(problem) if problem else Text(self.help_text))
        label.set_class(problem is None, "-ok")
        self.query_one("#submit", Button).disabled = not valid or self.busy
        return valid

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._validate(event.value)

    @on(Input.Submitted, "#name")
    def _name_submitted(self) -> None:
        self.action_submit()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_submit(self) -> None:
        value = self.query_one("#name", Input).value
        self._tried = True
        if self.busy or not self._validate(value):
            return  # a second enter while the request runs is ignored
        self._set_busy(True)
        self._run(value.strip())

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.set_class(busy, "-busy")
        # Mounted on demand: an idle indicator would cost every opening and tick 16 times a second.
        if busy:
            frame = self.query_one(VerticalScroll)
            frame.mount(
                LoadingIndicator(classes="progress"), before=frame.query_one(".dialog-buttons")
            )
        else:
            self.query(".progress").remove()
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

    async def perform(self, name: str) -> T:
        raise NotImplementedError
