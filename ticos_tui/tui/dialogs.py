"""The dialog kit: `Dialog[T]` (a centred modal and its frame), `ConfirmDialog` and `NameDialog[T]`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from ticos_tui.core.errors import TicosError
from ticos_tui.core.names import name_problem
from ticos_tui.core.sanitize import literal
from ticos_tui.tui.hints import KeyHints
from ticos_tui.tui.type_ahead import key_gate

ResultType = TypeVar("ResultType")
T = TypeVar("T")
D = TypeVar("D", bound="Dialog[Any]")


def kept(app: App[Any], cls: type[D], *args: Any, **kwargs: Any) -> D:
    """A `cls(*args, **kwargs)` to push: built on the first opening, kept and shown again after.

    Composing and styling its widgets is most of what opening a dialog costs. Same run of
    `python -m benchmarks dialogs` (100 keys, median of 5 presses, alternating, built anew
    via benchmarks/without.py): create 116 -> 73 ms (1.59x), rename 74 -> 23 ms (3.16x),
    help 54 -> 39 ms (1.40x), revoke 69 -> 36 ms (1.89x), roll 103 -> 29 ms (3.54x). A kept dialog is installed, so closing it keeps its widgets, and each
    opening hands it its arguments again through `prepare`, which puts every field back the
    way a new dialog has it. While the kept one is open (a confirm over a confirm), the
    second is built anew. Never for a dialog that shows a secret: that one is built for one
    showing and dropped with it.
    """
    name = f"kept-dialog:{cls.__module__}.{cls.__qualname__}"
    if not app.is_screen_installed(name):
        dialog = cls(*args, **kwargs)
        app.install_screen(dialog, name)
        return dialog
    kept_dialog = cast(D, app.get_screen(name))
    if kept_dialog in app.screen_stack:
        return cls(*args, **kwargs)
    kept_dialog.prepare(*args, **kwargs)
    return kept_dialog


class Dialog(ModalScreen[ResultType]):
    """A modal centred over the dimmed page, in a framed box; subclasses set its width (and colour)."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical, Dialog > VerticalScroll {
        height: auto; max-width: 100%; padding: 1 2;
        border: thick $primary 60%; background: $surface;
    }
    Dialog .dialog-title { text-style: bold; margin-bottom: 1; }
    /* Short terminals: no blank rows inside the frame, fields without borders (`compact`). */
    Dialog.-short > Vertical, Dialog.-short > VerticalScroll { padding: 0 2; }
    Dialog.-short .dialog-title { margin-bottom: 0; }
    Dialog.-short .field-label { margin-top: 0; }
    Dialog.-short .short-hidden, Dialog.-compact .compact-hidden { display: none; }
    """
    NARROW = 80
    """Below this many columns the dialog has the class `-narrow`: rows of choices stack, labels shorten."""
    SHORT = 30
    """Below this many rows the dialog has the class `-short`: no blank rows, it fits 80×24 whole."""
    COMPACT = 22
    """Below this many rows fields and buttons also lose their borders: it fits 60×20 whole."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.narrow_changed(narrow)
        self.set_class(event.size.height < self.SHORT, "-short")
        compact = event.size.height < self.COMPACT
        if compact != self.has_class("-compact"):
            self.set_class(compact, "-compact")
            self.compact_fields()

    def compact_fields(self) -> None:
        """Buttons, fields and lists without borders on a very short terminal (Textual's `compact`).

        A dialog that mounts such a widget later calls it again.
        """
        compact = self.has_class("-compact")
        for widget in self.query("Button, Input, Select, OptionList, SelectionList"):
            widget.compact = compact  # type: ignore[attr-defined]

    def narrow_changed(self, narrow: bool) -> None:
        """The terminal crossed `NARROW`: a dialog whose labels need shortening does it here."""

    KEY_HINTS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("enter", "Press the focused button"),
        ("tab", "Next"),
    )
    """Keys that work here but are no binding of the dialog, for its hints line."""

    def key_hints(self) -> Iterable[tuple[str, str]]:
        return self.KEY_HINTS

    def prepare(self, *args: Any, **kwargs: Any) -> None:
        """Take the arguments of the next opening (as `__init__` does) and reset every field.

        Dialogs opened through `kept` implement it; it is called only on a closed dialog.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot be kept")

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

    def __init__(self, title: str, body: Text | str, **labels: Any) -> None:
        """`labels`: `prepare`'s keywords (confirm_label, cancel_label, destructive)."""
        super().__init__()
        self.prepare(title, body, **labels)

    def prepare(
        self,
        title: str,
        body: Text | str,
        *,
        confirm_label: str = "Confirm",
        cancel_label: str = "Cancel",
        destructive: bool = True,
    ) -> None:
        self._title = title
        self._body = body if isinstance(body, Text) else Text(body)
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._destructive = destructive
        self.set_class(not destructive, "-safe")
        if self.is_mounted:  # kept: the same widgets, new words, and Cancel has the focus again
            self.query_one(".dialog-title", Label).update(Text(title))
            self.query_one(".dialog-body", Static).update(self._body)
            self.query_one("#cancel", Button).label = f"{cancel_label} (n)"
            confirm = self.query_one("#confirm", Button)
            confirm.label = f"{confirm_label} (y)"
            confirm.variant = "error" if destructive else "primary"
            self.set_focus(self.query_one("#cancel", Button))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
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


class KeyName(Validator):
    """The name rule (`core.names.name_problem`, as the CLI and the service apply it) as the
    name field's validator: the field marks itself invalid and the dialog says why."""

    def validate(self, value: str) -> ValidationResult:
        problem = name_problem(value)
        return self.success() if problem is None else self.failure(problem)


def first_problem(result: ValidationResult | None) -> str | None:
    """What a field's validation found wrong, in the validator's words (None: nothing)."""
    if result is None or result.is_valid:
        return None
    return result.failure_descriptions[0] if result.failure_descriptions else "Not valid."


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
        self.busy = False
        self._start_over(initial)

    def _start_over(self, initial: str) -> None:
        """The name back at `initial`, the other fields at their start, no problem shown, idle."""
        self._initial = initial
        self._tried = False  # enter was pressed: an empty name is then a problem to show
        if not self.is_mounted:
            return  # compose starts from these
        self._set_busy(False)
        error = self.query_one("#server-error", Static)
        error.update("")
        error.remove_class("-shown")
        self.reset_extra()
        name = self.query_one("#name", Input)
        name.value = initial
        name.cursor_position = len(initial)
        self.set_focus(name)
        self._validate(initial)

    def reset_extra(self) -> None:
        """Put the fields of `compose_extra` back as a new dialog has them (a kept dialog reopens)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Label("Name", classes="field-label")
            yield Input(
                value=self._initial,
                placeholder="Nightly Batch Script",
                id="name",
                select_on_focus=False,
                validators=[KeyName()],
                # Empty is no problem to show until enter was pressed or a name was there before.
                valid_empty=not self._initial,
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
        field = self.query_one("#name", Input)
        if value is None:
            value = field.value
        # (An Input posts Changed when this flips; its handler comes back here, and finds it set.)
        field.valid_empty = not (self._initial or self._tried)
        problem = first_problem(field.validate(value))
        label = self.query_one("#name-problem", Static)
        options = self.options_problem()  # said even while the name is still to be typed
        valid = name_problem(value) is None and options is None
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
        gate = key_gate(self.app)
        if gate is not None:  # keys typed now are for what the answer opens (see `answered`)
            gate.hold(self)
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
            gate = key_gate(self.app)
            if gate is not None:  # the keys typed meanwhile: for this dialog again
                gate.release(self)
            return
        self.dismiss(result)

    async def perform(self, name: str) -> T:
        raise NotImplementedError
