"""The Activity section: loads behind a spinner, pages on, filters, follows, fails and retries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.widgets import DataTable

from tests.tui.activity.events import ActivityClient, sample_events
from tests.tui.helpers import loaded, rendered, wait_until
from ticos_tui.errors import ConnectionFailed
from ticos_tui.tui.activity import feed
from ticos_tui.tui.activity.pane import ActivityPane
from ticos_tui.tui.app import TicosApp

AppFactory = Callable[..., TicosApp]


def activity(app: TicosApp) -> ActivityPane:
    return app.screen.query_one(ActivityPane)


def rows(app: TicosApp) -> list[str]:
    """The events in the table, by id, top to bottom."""
    table = activity(app).table
    return [str(key.value) for key in table.rows]


def row_words(app: TicosApp, row: int) -> str:
    table: DataTable[object] = activity(app).table
    return " ".join(str(cell) for cell in table.get_row_at(row))


async def open_activity(pilot, app: TicosApp) -> ActivityPane:
    await loaded(pilot)
    await pilot.press("a")
    await wait_until(pilot, lambda: bool(app.screen.query(ActivityPane)))
    pane = activity(app)
    await wait_until(pilot, lambda: pane.loaded and pane.table.row_count > 0)
    return pane


async def test_loads_behind_the_spinner_then_lists_newest_first(fake_app: AppFactory) -> None:
    client = ActivityClient()
    client.gate = asyncio.Event()
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: bool(app.screen.query(ActivityPane)) and bool(client.asked))
        pane = activity(app)
        assert pane.table.loading and not pane.loaded
        assert "Loading…" in rendered(pane, "#activity-count")
        client.gate.set()
        await wait_until(pilot, lambda: pane.loaded and not pane.table.loading)
        assert rows(app) == [e.id for e in sample_events()]
        first = row_words(app, 0)
        assert "key.created" in first and "“Nightly Batch Script” (key_0000)" in first
        assert "session ses_fake (Ada Lovelace)" in first and "127.0.0.1" in first
        assert app.focused is pane.table
        assert "8 events" in rendered(pane, "#activity-count")
        # The selected event in full, through audit_words, below the table.
        assert "by session ses_fake (Ada Lovelace)" in rendered(pane, "#activity-detail")
