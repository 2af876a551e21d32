"""ProfilePane: the account's name, email, id and creation date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from ticos_tui.core.models import Account
from ticos_tui.core.sanitize import literal
from ticos_tui.core.timefmt import Clock, exact, now_utc, relative


class ProfilePane(Vertical):
    """Holds what it shows: told the account before it is composed, it shows it once composed."""

    DEFAULT_CSS = """
    ProfilePane { padding: 1 2; }
    ProfilePane #profile-body { margin-top: 1; }
    """

    def __init__(self, *, clock: Clock = now_utc, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._account: Account | None = None
        self._error: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(Text("Profile"), classes="section-title")
        yield Static(self._body(), id="profile-body")

    def _body(self) -> Text:
        account = self._account
        if account is None:
            if self._error is not None:
                return literal(f"Could not load the profile: {self._error}")
            return Text("Loading…")
        created = f"{exact(account.created_at)} ({relative(account.created_at, self._clock())})"
        rows = [
            ("Name", account.name),
            ("Email", account.email),
            ("Account id", account.id),
            ("Created", created),
        ]
        body = Text()
        for label, value in rows:
            body.append(f"{label:<12}", style="bold")
            body.append_text(literal(value))
            body.append("\n")
        body.rstrip()
        return body

    def _show(self) -> None:
        for static in self.query("#profile-body").results(Static):  # none until composed
            static.update(self._body())

    def show_account(self, account: Account) -> None:
        self._account, self._error = account, None
        self._show()

    def show_error(self, message: str) -> None:
        self._account, self._error = None, message
        self._show()
