"""Last Used stays current: a quiet background refresh that never moves, flickers or nags."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import ContentSwitcher, Sparkline

from tests.tui.fakes import NOW, CountingBackend, FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, record_toasts, row_text, settle, table, wait_until
from ticos_tui.core.errors import ConnectionFailed
from ticos_tui.core.timefmt import Clock
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.app import make_app


def _app(settings, backend, interval: float | None, clock: Clock):
    app = make_app(settings, client_factory=lambda: backend, refresh_interval=interval, clock=clock)
    app.animation_level = "none"
    return app


async def test_last_used_updates_by_itself_without_moving_or_flickering(
    settings, fixed_clock, monkeypatch
) -> None:
    client = FakeClient(sample_keys(8))
    app = _app(settings, client, interval=0.05, clock=fixed_clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        the_pane, tbl = pane(app), table(app)
        shown: list[str] = []  # every view the keys' body switches to from here on
        body = the_pane.query_one("#keys-body", ContentSwitcher)
        the_pane.watch(body, "current", lambda state: shown.append(str(state)), init=False)
        await pilot.press("down", "down")
        chosen = tbl.selected_key
        await wait_until(pilot, lambda: bool(the_pane.query(Sparkline)))  # after the first frame
        sparkline = the_pane.query_one(Sparkline)
        await wait_until(pilot, lambda: sparkline.visible)
        drawn: list[list[float]] = []  # every value the sparkline takes from here on
        the_pane.watch(sparkline, "data", lambda data: drawn.append(list(data)), init=False)

        index = next(i for i, k in enumerate(client.keys) if k.id == chosen.id)
        client.keys[index] = replace(chosen, last_used_at=NOW - timedelta(minutes=10))
        row = tbl.cursor_row
        await wait_until(pilot, lambda: "10 minutes ago" in row_text(tbl, row))

        assert tbl.selected_key.id == chosen.id and tbl.cursor_row == row
        assert "keys-loading" not in shown  # never the Loading… state
        assert sparkline.visible and [] not in drawn  # the usage was never blanked


async def test_no_refresh_while_a_dialog_is_open_or_the_list_is_hidden(settings, fixed_clock):
    backend = CountingBackend(FakeClient(sample_keys(3)))
    # no timer: the tick is called by hand
    app = _app(settings, backend, interval=None, clock=fixed_clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        the_pane = pane(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        the_pane.keys.refresh_if_due()
        assert not any(w.group == "keys-load" and not w.is_finished for w in app.workers)
        await pilot.pause()
        assert backend.calls["iter_key_pages"] == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CreateKeyDialog))

        the_pane.keys.refresh_if_due()
        await wait_until(pilot, lambda: backend.calls["iter_key_pages"] == 2)


async def test_a_failing_server_is_retried_less_and_less_often_with_one_notice(
    settings, fixed_clock, monkeypatch
) -> None:
    client = FakeClient(sample_keys(3))
    app = _app(settings, client, interval=None, clock=fixed_clock)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        the_pane, tbl = pane(app), table(app)
        client.fail_load = ConnectionFailed("cannot connect to http://127.0.0.1:9/v1")
        delays = []
        for _ in range(12):
            await the_pane.keys.refresh_quietly().wait()
            delays.append(the_pane.keys.quiet_refresh_delay)
        assert delays[1] == 2 * delays[0] and delays[2] == 2 * delays[1]
        assert delays[-1] == delays[-2] and delays[-1] <= 600  # capped
        assert tbl.total == 3  # what was shown stays
        warnings = [t for t in toasts if "refresh" in t.message.lower()]
        assert len(warnings) == 1, toasts

        client.fail_load = None
        await the_pane.keys.refresh_quietly().wait()
        assert the_pane.keys.quiet_refresh_delay == delays[0] / 2  # back to the interval
        await settle(pilot)
