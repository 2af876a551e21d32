"""The Activity section pinned as SVG snapshots at 120x35 and 80x24 (fixed events and clock)."""

from __future__ import annotations

import pytest

from tests.tui.activity.events import ActivityClient, sample_events
from tests.tui.helpers import account_settled, loaded, wait_until
from ticos_tui.core.errors import ConnectionFailed
from ticos_tui.tui.activity.pane import ActivityPane


async def _activity_shown(pilot) -> None:
    app = pilot.app
    await loaded(pilot)
    await pilot.press("a")
    await wait_until(pilot, lambda: bool(app.screen.query(ActivityPane)))
    pane = app.screen.query_one(ActivityPane)
    await wait_until(pilot, lambda: pane.loaded or pane.query_one("#activity-error").display)
    await wait_until(pilot, lambda: account_settled(app))
    await pilot.pause()


@pytest.mark.parametrize("size", [(120, 35), (80, 24), (60, 20)], ids=["120x35", "80x24", "60x20"])
def test_activity(snap_compare, fake_app, size) -> None:
    client = ActivityClient(sample_events(40))
    assert snap_compare(fake_app(client), terminal_size=size, run_before=_activity_shown)


def test_activity_filtered_at_80x24(snap_compare, fake_app) -> None:
    async def filtered(pilot) -> None:
        await _activity_shown(pilot)
        await pilot.press("slash", *"roll")
        await pilot.pause()

    client = ActivityClient(sample_events(40))
    assert snap_compare(fake_app(client), terminal_size=(80, 24), run_before=filtered)


def test_activity_error_at_80x24(snap_compare, fake_app) -> None:
    client = ActivityClient()
    client.fail_audit = ConnectionFailed("Could not reach the Ticos service at 127.0.0.1:9.")
    assert snap_compare(fake_app(client), terminal_size=(80, 24), run_before=_activity_shown)
