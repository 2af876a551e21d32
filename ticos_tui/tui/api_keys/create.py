"""CreateKeyDialog: name a new key, validate as you type, create it, keep the dialog open on errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Input,
    Label,
    LoadingIndicator,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from ticos_tui.errors import TicosError
from ticos_tui.models import SCOPES, CreatedKey
from ticos_tui.sanitize import literal
from ticos_tui.timefmt import now_utc
from ticos_tui.tui.dialogs import Dialog
from ticos_tui.validation import name_problem

CreateFunc = Callable[[str, list[str] | None, datetime | None], Awaitable[CreatedKey]]


class NameDialog(Dialog[object]):
    """A dialog around one validated name input; subclasses say what submitting does."""

    DEFAULT_CSS = """
    NameDialog > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 1 2;
        border: thick $primary 60%; background: $surface;
    }
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
            yield LoadingIndicator(classes="progress")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.submit_label, id="submit", variant="primary")

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._validate(self._initial)

    def options_problem(self) -> str | None:
        """What is wrong with the dialog's other fields (None when they are fine)."""
        return None

    def _validate(self, value: str | None = None) -> bool:
        if value is None:
            value = self.query_one("#name", Input).value
        problem = name_problem(value) if value or self._initial else None
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


PRESETS: dict[str, tuple[str, ...]] = {
    "read-only": tuple(scope for scope in SCOPES if scope.endswith(":read")),
    "keys-admin": ("api_keys:read", "api_keys:write"),
    "agents": ("agents:invoke",),
    "usage-reporting": ("usage:read", "account:read"),
}
PRESET_LABELS = {
    "read-only": "Read only (every :read scope)",
    "keys-admin": "Key management (api_keys:read, api_keys:write)",
    "agents": "Agents (agents:invoke)",
    "usage-reporting": "Usage reporting (usage:read, account:read)",
}
EXPIRY_CHOICES: tuple[tuple[str, str], ...] = (
    ("Never", "never"),
    ("In 7 days", "7"),
    ("In 30 days", "30"),
    ("In 90 days", "90"),
    ("In 1 year", "365"),
    ("On a date…", "date"),
)


def expiry_from_choice(
    choice: str, date_text: str, now: datetime
) -> tuple[datetime | None, str | None]:
    """The expiry a choice means, or the problem with it: (expires_at, problem)."""
    if choice == "never":
        return None, None
    if choice != "date":
        return now + timedelta(days=int(choice)), None
    text = date_text.strip()
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None, "Enter the expiry date as YYYY-MM-DD, e.g. 2027-06-30."
    # The key works through the whole day given, in UTC.
    moment = day + timedelta(days=1) - timedelta(seconds=1)
    if moment <= now:
        return None, "The expiry date must be in the future."
    if moment > now + timedelta(days=3650):
        return None, "The expiry date can be at most 10 years ahead."
    return moment, None


class CreateKeyDialog(NameDialog):
    """Create a key with least privilege and an expiry; dismisses with the `CreatedKey` or None."""

    DEFAULT_CSS = """
    CreateKeyDialog RadioSet { width: 100%; border: none; padding: 0; layout: horizontal; height: auto; }
    CreateKeyDialog RadioSet RadioButton { margin-right: 2; width: auto; }
    CreateKeyDialog #scopes-box { display: none; height: auto; }
    CreateKeyDialog.-custom-scopes #scopes-box { display: block; }
    CreateKeyDialog #scopes { height: auto; max-height: 10; border: none; padding: 0; }
    CreateKeyDialog #preset { margin-bottom: 1; width: 100%; }
    CreateKeyDialog #expiry { width: 100%; }
    CreateKeyDialog #expiry-date { display: none; }
    CreateKeyDialog.-expiry-date #expiry-date { display: block; }
    CreateKeyDialog #options-problem { color: $error; height: auto; }
    """

    title_text = "Create New API Key"
    submit_label = "Create"

    def __init__(self, create: CreateFunc) -> None:
        super().__init__()
        self._create = create

    def compose_extra(self) -> ComposeResult:
        yield Label("Access", classes="field-label")
        with RadioSet(id="access"):
            yield RadioButton("Full access", value=True, id="access-full")
            yield RadioButton("Choose scopes (least privilege)", id="access-custom")
        with Vertical(id="scopes-box"):
            yield Select(
                [(label, key) for key, label in PRESET_LABELS.items()],
                prompt="Start from a preset…",
                id="preset",
            )
            yield SelectionList[str](
                *[(f"{scope:<16} {what}", scope) for scope, what in SCOPES.items() if scope != "*"],
                id="scopes",
            )
        yield Label("Expires", classes="field-label")
        yield Select(EXPIRY_CHOICES, value="never", allow_blank=False, id="expiry")
        yield Input(placeholder="YYYY-MM-DD", id="expiry-date", max_length=10)
        yield Static("", id="options-problem")

    @property
    def custom_scopes(self) -> bool:
        return self.query_one("#access-custom", RadioButton).value

    def scopes(self) -> list[str] | None:
        if not self.custom_scopes:
            return None  # the server's default: ["*"]
        return list(self.query_one("#scopes", SelectionList).selected)

    def _expiry(self) -> tuple[datetime | None, str | None]:
        choice = self.query_one("#expiry", Select).value
        return expiry_from_choice(
            str(choice), self.query_one("#expiry-date", Input).value, now_utc()
        )

    def expires_at(self) -> datetime | None:
        return self._expiry()[0]

    def options_problem(self) -> str | None:
        problem = None
        if self.custom_scopes and not self.query_one("#scopes", SelectionList).selected:
            problem = "Choose at least one scope, or pick Full access."
        problem = problem or self._expiry()[1]
        self.query_one("#options-problem", Static).update(Text(problem or ""))
        return problem

    @on(RadioSet.Changed, "#access")
    def _access_changed(self, event: RadioSet.Changed) -> None:
        self.set_class(self.custom_scopes, "-custom-scopes")
        self._validate()

    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in PRESETS:
            scopes = self.query_one("#scopes", SelectionList)
            scopes.deselect_all()
            for scope in PRESETS[event.value]:
                scopes.select(scope)
        self._validate()

    @on(SelectionList.SelectedChanged, "#scopes")
    def _scopes_changed(self) -> None:
        self._validate()

    @on(Select.Changed, "#expiry")
    def _expiry_changed(self, event: Select.Changed) -> None:
        self.set_class(event.value == "date", "-expiry-date")
        self._validate()

    @on(Input.Changed, "#expiry-date")
    def _date_changed(self) -> None:
        self._validate()

    @on(Input.Submitted, "#expiry-date")
    def _date_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    async def perform(self, name: str) -> object:
        return await self._create(name, self.scopes(), self.expires_at())
