"""ProfilePane: the account's name, email, id and creation date."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from ticos_tui.models import Account
from ticos_tui.sanitize import literal
from ticos_tui.timefmt import exact, relative


class ProfilePane(Vertical):
    DEFAULT_CSS = """
    ProfilePane { padding: 1 2; }
    ProfilePane #profile-body { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Label(Text("Profile"), classes="section-title")
        yield Static(Text("Loading…"), id="profile-body")

    def show_account(self, account: Account) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("Name", literal(account.name))
        grid.add_row("Email", literal(account.email))
        grid.add_row("Account id", literal(account.id))
        grid.add_row(
            "Created", Text(f"{exact(account.created_at)} ({relative(account.created_at)})")
        )
        self.query_one("#profile-body", Static).update(grid)

    def show_error(self, message: str) -> None:
        self.query_one("#profile-body", Static).update(
            literal(f"Could not load the profile: {message}")
        )
