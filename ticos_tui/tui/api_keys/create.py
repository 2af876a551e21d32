"""CreateKeyDialog: name a new key, validate as you type, create it, keep the dialog open on errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.validation import ValidationResult, Validator
from textual.widgets import (
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from ticos_tui.core.models import CreatedKey
from ticos_tui.core.scopes import SCOPES
from ticos_tui.core.timefmt import Clock, now_utc
from ticos_tui.tui.dialogs import NameDialog

CreateFunc = Callable[[str, list[str] | None, datetime | None], Awaitable[CreatedKey]]


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


class ExpiryDate(Validator):
    """The date field's rule (`expiry_from_choice`, which also gives the date sent) as its
    validator: the field marks itself invalid while the date would be refused."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    def validate(self, value: str) -> ValidationResult:
        problem = expiry_from_choice("date", value, self._clock())[1]
        return self.success() if problem is None else self.failure(problem)


class CreateKeyDialog(NameDialog[CreatedKey]):
    """Create a key with least privilege and an expiry; dismisses with the `CreatedKey` or None."""

    DEFAULT_CSS = """
    CreateKeyDialog RadioSet { width: 100%; border: none; padding: 0; layout: horizontal; height: auto; }
    CreateKeyDialog RadioSet RadioButton { margin-right: 2; width: auto; }
    CreateKeyDialog.-narrow RadioSet { layout: vertical; }
    CreateKeyDialog #scopes-box { display: none; height: auto; }
    CreateKeyDialog.-custom-scopes #scopes-box { display: block; }
    CreateKeyDialog #scopes { height: auto; max-height: 10; border: none; padding: 0; }
    CreateKeyDialog #preset { margin-bottom: 1; width: 100%; }
    CreateKeyDialog #expiry { width: 100%; }
    CreateKeyDialog #expiry-date { display: none; }
    CreateKeyDialog.-expiry-date #expiry-date { display: block; }
    CreateKeyDialog #options-problem { color: $error; height: auto; display: none; }
    CreateKeyDialog #options-problem.-shown { display: block; }
    """

    title_text = "Create New API Key"
    submit_label = "Create"

    def __init__(self, create: CreateFunc, *, clock: Clock = now_utc) -> None:
        super().__init__()
        self.prepare(create, clock=clock)

    def prepare(self, create: CreateFunc, *, clock: Clock = now_utc) -> None:
        self._create = create
        self._clock = clock
        self._start_over("")

    def reset_extra(self) -> None:
        # The RadioSet and the Select say they changed: their handlers hide the scopes and the date.
        self.query_one("#access-full", RadioButton).value = True
        for scopes in self.query("#scopes").results(SelectionList):
            scopes.deselect_all()
        for preset in self.query("#preset").results(Select):
            preset.clear()
        self.query_one("#expiry", Select).value = "never"
        for date in self.query("#expiry-date").results(Input):
            date.value = ""
        self.query_one("#options-problem", Static).update("")

    def compose_extra(self) -> ComposeResult:
        yield Label("Access", classes="field-label")
        with RadioSet(id="access"):
            yield RadioButton("Full access", value=True, id="access-full")
            yield RadioButton("Choose scopes (least privilege)", id="access-custom")
        # Filled when "Choose scopes" is picked: most keys get full access, and composing a
        # Select and a SelectionList nobody sees made every opening slower.
        yield Vertical(id="scopes-box")
        yield Label("Expires", classes="field-label")
        yield Select(EXPIRY_CHOICES, value="never", allow_blank=False, id="expiry")
        # The date field is mounted after this when "On a date…" is picked.
        yield Static("", id="options-problem")

    def _show_scopes(self) -> None:
        box = self.query_one("#scopes-box", Vertical)
        if not box.children:
            box.mount(
                Select(
                    [(label, key) for key, label in PRESET_LABELS.items()],
                    prompt="Start from a preset…",
                    id="preset",
                ),
                SelectionList[str](
                    *[
                        (f"{scope:<16} {what}", scope)
                        for scope, what in SCOPES.items()
                        if scope != "*"
                    ],
                    id="scopes",
                ),
            )
            self.compact_fields()

    def _show_date(self) -> None:
        if not self.query("#expiry-date"):
            field = Input(
                placeholder="YYYY-MM-DD",
                id="expiry-date",
                max_length=10,
                validators=[ExpiryDate(lambda: self._clock())],
            )
            self.query_one(VerticalScroll).mount(field, after=self.query_one("#expiry", Select))
            self.compact_fields()

    @property
    def custom_scopes(self) -> bool:
        return self.query_one("#access-custom", RadioButton).value

    def scopes(self) -> list[str] | None:
        if not self.custom_scopes:
            return None  # the server's default: ["*"]
        chosen = next(self.query("#scopes").results(SelectionList), None)
        return list(chosen.selected) if chosen else []

    def _expiry(self) -> tuple[datetime | None, str | None]:
        choice = self.query_one("#expiry", Select).value
        date = next(self.query("#expiry-date").results(Input), None)
        return expiry_from_choice(str(choice), date.value if date else "", self._clock())

    def expires_at(self) -> datetime | None:
        return self._expiry()[0]

    def options_problem(self) -> str | None:
        problem = None
        if self.scopes() == []:
            problem = "Choose at least one scope, or pick Full access."
        problem = problem or self._expiry()[1]
        shown = self.query_one("#options-problem", Static)
        shown.update(Text(problem or ""))
        shown.set_class(problem is not None, "-shown")
        return problem

    @on(RadioSet.Changed, "#access")
    def _access_changed(self, event: RadioSet.Changed) -> None:
        if self.custom_scopes:
            self._show_scopes()
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
        if event.value == "date":
            self._show_date()
        self.set_class(event.value == "date", "-expiry-date")
        self._validate()

    @on(Input.Changed, "#expiry-date")
    def _date_changed(self) -> None:
        self._validate()

    @on(Input.Submitted, "#expiry-date")
    def _date_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    async def perform(self, name: str) -> CreatedKey:
        return await self._create(name, self.scopes(), self.expires_at())
