"""ProfilePane: the account's name, email, id and creation date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from ticos_tui.models import Account
from ticos_tui.sanitize import literal
from ticos_tui.timefmt import Clock, exact, now_utc, relative


class ProfilePane(Vertical):
    DEFAULT_CSS = """
    ProfilePane { padding: 1 2; }
    ProfilePane #profile-body { margin-top: 1; }
    """

    def __init__(self, *, clock: Clock = now_utc, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock

    def compose(self) -> ComposeResult:
        yield Label(Text("Profile"), classes="section-title")
        yield Static(Text("Loading…"), id="profile-body")

    def _show(self, body: Text) -> None:
        self.query_one("#profile-body", Static).update(body)

    def show_account(self, account: Account) -> None:
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
        self._show(body)

    def show_error(self, message: str) -> None:
        self._show(literal(f"Could not load the profile: {message}"))
