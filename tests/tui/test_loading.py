"""While the keys load, every view says so; counts, filters and the review reflect every key once in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, table, wait_until
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.review_screen import NOTHING_TO_REVIEW, ReviewScreen
from ticos_tui.tui.app import TicosApp

AppFactory = Callable[..., TicosApp]


def held_client(count: int = 5, pages_before_hold: int = 0) -> FakeClient:
    client = FakeClient(sample_keys(count))
    client.hold = asyncio.Event()
    client.pages_before_hold = pages_before_hold
    return client


def count_text(app: TicosApp) -> str:
    return str(pane(app).query_one("#keys-count").render())


async def test_review_during_the_load_says_loading_then_shows_the_keys(
    fake_app: AppFactory,
) -> None:
    client = held_client(count=8)  # one of them is worth a look
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#keys-count")))
        await pilot.press("v")
        await wait_until(pilot, lambda: "Loading" in review_summary(app))
        assert NOTHING_TO_REVIEW not in review_summary(app)
        assert client.hold is not None
        client.hold.set()
        await wait_until(pilot, lambda: "1 of 6 active keys worth a look" in review_summary(app))


def review_summary(app: TicosApp) -> str:
    """The review's summary line, or "" while the review is being (re)composed."""
    if not isinstance(app.screen, ReviewScreen):
        return ""
    found = app.screen.query("#review-summary")
    return str(found.first().render()) if found else ""


async def test_a_key_created_during_the_load_joins_every_other_key(fake_app: AppFactory) -> None:
    client = held_client()
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#keys-count")))
        await pilot.press("n", *"Made while loading", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("y")  # close without copying
        await wait_until(pilot, lambda: not app.screen.is_modal)
        assert count_text(app) == "1 key so far, loading…"
        assert client.hold is not None
        client.hold.set()
        await loaded(pilot)
        assert table(app).total == 6
        assert count_text(app) == "6 keys"
        assert table(app).rows[0].name == "Made while loading"


async def test_a_filter_typed_during_the_load_says_loading_then_counts_every_key(
    fake_app: AppFactory,
) -> None:
    client = held_client(count=250, pages_before_hold=1)
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: table(app).total == 100)
        await pilot.press("slash", *"staging")
        await wait_until(pilot, lambda: pane(app).query_one("#keys-filter").value == "staging")
        assert "0 of 0" not in count_text(app)
        assert "oading" in count_text(app)
        assert client.hold is not None
        client.hold.set()
        await loaded(pilot)
        assert count_text(app) == "50 of 250 match “staging”"
