"""With several logins, the header says which server and which account this is."""

from __future__ import annotations

from textual.widgets import Label

from tests.tui.fakes import FakeClient
from tests.tui.helpers import wait_until
from ticos_tui.tui.account.header import AppHeader


async def test_the_header_names_the_server_and_the_account(fake_app) -> None:
    app = fake_app(FakeClient([]))
    async with app.run_test(size=(120, 35)) as pilot:

        def header() -> str:
            return str(app.screen.query_one(AppHeader).query_one("#mode", Label).render())

        await wait_until(pilot, lambda: "ada@example.com" in header())
        assert header() == "Account Settings · local · ada@example.com"
