"""The Activity section: loads behind a spinner, pages on, filters, follows, fails and retries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.widgets import DataTable

from tests.tui.activity.events import ActivityClient, sample_events
from tests.tui.helpers import burst, loaded, rendered, wait_until
from ticos_tui.core.errors import ConnectionFailed
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


async def test_pages_on_with_the_cursor(fake_app: AppFactory) -> None:
    client = ActivityClient(sample_events(250))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        assert pane.table.row_count == 100 and pane.next_cursor == "100"
        assert "older ones as you scroll" in rendered(pane, "#activity-count")
        await pilot.press("end")  # near the last row: the next page
        await wait_until(pilot, lambda: pane.table.row_count == 200)
        assert client.asked[-1]["cursor"] == "100"
        await pilot.press("end")
        await wait_until(pilot, lambda: pane.table.row_count == 250)
        assert pane.next_cursor is None
        assert rows(app) == [e.id for e in sample_events(250)]  # in order, none twice
        assert "250 events" in rendered(pane, "#activity-count")


async def test_filter_by_key_name_or_action(fake_app: AppFactory) -> None:
    app = fake_app(ActivityClient(sample_events(20)))
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        await pilot.press("slash", *"ROLL")
        await wait_until(pilot, lambda: pane.table.row_count == 4)
        assert all("key.rolled" in row_words(app, i) for i in range(4))
        assert "4 of the 20 events match “ROLL”" in rendered(pane, "#activity-count")
        await pilot.press(*["backspace"] * 4, *"staging")  # a key's name, any case
        await wait_until(pilot, lambda: pane.table.row_count == 5)
        assert all("Staging web" in row_words(app, i) for i in range(5))
        await pilot.press("enter")  # back to the list, filter kept
        assert app.focused is pane.table and pane.table.row_count == 5
        await pilot.press("escape")  # clears it
        await wait_until(pilot, lambda: pane.table.row_count == 20)
        assert not pane.has_class("-filtering")
        await pilot.press("slash", *"nothing like it")
        await wait_until(pilot, lambda: pane.table.row_count == 0)
        assert "No event loaded matches the filter." in rendered(pane, "#activity-detail")


async def test_a_filter_reads_older_pages_to_fill_the_screen_a_few_at_most(
    fake_app: AppFactory,
) -> None:
    client = ActivityClient(sample_events(2000))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        await pilot.press("slash", *"Staging")  # 25 of the first 100: not a screenful
        await wait_until(pilot, lambda: pane.table.row_count == 50 and not pane.fetching_older)
        assert len(pane.events) == 200 and pane.next_cursor == "200"  # one more page, no more
        await pilot.press(*["backspace"] * 7, *"no such thing")
        await wait_until(pilot, lambda: len(pane.events) == 1100 and not pane.fetching_older)
        assert (
            pane.next_cursor is not None and pane.table.row_count == 0
        )  # ten pages in all, then stop
        assert "0 of the 1100 newest events match" in rendered(pane, "#activity-count")


async def test_follows_new_events_while_shown_only(
    fake_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "FOLLOW_INTERVAL", 0.05)
    client = ActivityClient(sample_events(3))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        await pilot.press("down")  # the cursor on the second event
        before = rows(app)
        assert pane.following and "following" in rendered(pane, "#activity-count")
        created = await client.create_key("Made elsewhere")  # another login's change
        await wait_until(pilot, lambda: pane.table.row_count == 4)
        new_id = client.events[0].id
        assert rows(app) == [new_id, *before]
        assert "key.created" in row_words(app, 0)
        assert f"“Made elsewhere” ({created.api_key.id})" in row_words(app, 0)
        assert pane.table.cursor_row == 2  # still on the event it was on
        # Polls ask only for what is newer than the newest shown.
        assert client.asked[-1]["since"] is not None
        await pilot.press("a")  # back to the keys: the section stops following
        await wait_until(pilot, lambda: not pane.following)
        assert not pane.display


async def test_follow_backs_off_while_failing_and_says_so_once(
    fake_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "FOLLOW_INTERVAL", 0.05)
    client = ActivityClient(sample_events(3))
    app = fake_app(client)
    notes: list[str] = []
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
        client.fail_audit = ConnectionFailed("Could not reach the Ticos service.")
        await wait_until(pilot, lambda: pane._follow_failures >= 2)
        assert pane.follow_delay == pytest.approx(0.05 * 2**pane._follow_failures)
        assert len(notes) == 1 and "Could not check for new activity" in notes[0]
        assert "retrying" in rendered(pane, "#activity-count")
        assert pane.table.row_count == 3  # what was shown stays
        client.fail_audit = None
        await client.revoke_key((await client.create_key("x")).api_key.id)
        await wait_until(pilot, lambda: pane.table.row_count == 5, timeout=15)
        assert pane._follow_failures == 0 and "following" in rendered(pane, "#activity-count")


async def test_error_says_what_happened_and_r_retries(fake_app: AppFactory) -> None:
    client = ActivityClient()
    client.fail_audit = ConnectionFailed("Could not reach the Ticos service at 127.0.0.1:9.")
    app = fake_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: bool(app.screen.query(ActivityPane)))
        pane = activity(app)
        await wait_until(pilot, lambda: "127.0.0.1:9" in rendered(pane, "#activity-error-message"))
        assert "Could not load the activity." in rendered(pane, "#activity-error-message")
        assert not pane.table.loading and not pane.loaded
        await wait_until(pilot, lambda: app.focused is not None)
        assert app.focused is not None and app.focused.id == "activity-retry"
        client.fail_audit = None
        await pilot.press("r")
        await wait_until(pilot, lambda: pane.loaded and pane.table.row_count == 8)
        assert pane.table.display and app.focused is pane.table
        # The retry button does the same.
        client.fail_audit = ConnectionFailed("down again")
        await pilot.press("r")
        await wait_until(pilot, lambda: "down again" in rendered(pane, "#activity-error-message"))
        client.fail_audit = None
        await pilot.click("#activity-retry")
        await wait_until(pilot, lambda: pane.loaded and pane.table.row_count == 8)


async def test_hostile_text_is_shown_literally(fake_app: AppFactory) -> None:
    from dataclasses import replace

    events = sample_events(2)
    events[0] = replace(events[0], key_name="\x1b[31mred[/] [bold]x", client="::1\u202e")
    app = fake_app(ActivityClient(events))
    async with app.run_test(size=(120, 35)) as pilot:
        await open_activity(pilot, app)
        first = row_words(app, 0)
        assert "␛[31mred[/] [bold]x" in first and "::1<U+202E>" in first
        assert "\x1b" not in first and "\u202e" not in first


async def test_reachable_by_key_hints_help_menu_palette_and_mouse(fake_app: AppFactory) -> None:
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from ticos_tui.tui.account.menu import AccountMenu
    from ticos_tui.tui.api_keys.pane import ApiKeysPane
    from ticos_tui.tui.help import HelpScreen
    from ticos_tui.tui.hints import KeyHints

    app = fake_app(ActivityClient())
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        main = app.screen
        shown, _pinned = main.query_one(KeyHints).hints()
        assert ("a", "Activity") in [(h.key, h.description) for h in shown]
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_rows = dict(app.screen.rows())  # type: ignore[attr-defined]
        assert "who created, renamed, rolled, revoked or deleted" in help_rows["a"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is main)

        # The key, and back with the same key.
        pane = await open_activity(pilot, app)
        assert app.focused is pane.table
        shown, _pinned = main.query_one(KeyHints).hints()
        assert [(h.key, h.description) for h in shown][:3] == [
            ("a", "API Keys"),
            ("slash", "Filter"),
            ("r", "Reload"),
        ]
        await pilot.press("a")
        await wait_until(pilot, lambda: app.focused is main.query_one(ApiKeysPane).table)
        assert not pane.display

        # The account menu.
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: isinstance(app.screen, AccountMenu))
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.screen is main and pane.display)
        await wait_until(pilot, lambda: app.focused is pane.table)
        await pilot.press("a")
        await wait_until(pilot, lambda: not pane.display)

        # The palette.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"activity: who")
        palette = app.screen
        await wait_until(pilot, lambda: palette.query_one("CommandList").option_count > 0)
        first = palette.query_one("CommandList").get_option_at_index(0)  # type: ignore[attr-defined]
        assert "who did what" in str(first.prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is main and pane.display)
        sidebar = main.query_one("#sidebar", OptionList)
        assert sidebar.highlighted == 2  # the sidebar says where we are

        # The mouse: the sidebar's rows.
        await pilot.click("#sidebar", offset=(2, 2))  # API Keys (row 1, under the top padding)
        await wait_until(pilot, lambda: not pane.display)
        await pilot.click("#sidebar", offset=(2, 3))  # Activity
        await wait_until(pilot, lambda: pane.display and pane.following)


async def test_r_keeps_working_while_the_service_stays_down(fake_app: AppFactory) -> None:
    """Found in tmux: a retry that failed again left nothing focused, so the next r did nothing,
    and the detail line kept describing an event from before the reload."""
    client = ActivityClient()
    app = fake_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_activity(pilot, app)
        assert "key.created" in rendered(pane, "#activity-detail")
        client.fail_audit = ConnectionFailed("down")
        for attempt in range(3):
            asked = len(client.asked)
            client.gate = asyncio.Event()  # the service takes its time to fail
            await pilot.press("r")
            await wait_until(pilot, lambda: len(client.asked) > asked)  # noqa: B023
            await pilot.pause()
            await pilot.pause()
            client.gate.set()
            await wait_until(pilot, lambda: pane.query_one("#activity-error").display)
            await wait_until(pilot, lambda: app.focused is not None, timeout=2)
            assert app.focused is not None and app.focused.id == "activity-retry", attempt
            assert rendered(pane, "#activity-detail") == ""
        client.fail_audit = None
        await pilot.press("r")
        await wait_until(pilot, lambda: pane.loaded and pane.table.row_count == 8)


async def test_a_reload_lists_every_event_again(fake_app: AppFactory) -> None:
    """Found in tmux: after r, only the events new since the last load were listed."""
    client = ActivityClient(sample_events(8))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        pane = await open_activity(pilot, app)
        await client.create_key("made meanwhile")
        asked = len(client.asked)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(client.asked) > asked and pane.loaded)
        await wait_until(pilot, lambda: not pane.table.loading)
        assert rows(app) == [e.id for e in client.events]
        assert len(rows(app)) == 9


async def test_keys_typed_right_after_a_reach_the_activity(fake_app: AppFactory) -> None:
    """Nothing typed is lost: `a/roll` typed at once filters the activity, not the keys."""
    from ticos_tui.tui.api_keys.pane import ApiKeysPane

    app = fake_app(ActivityClient(sample_events(20)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "a", "slash", *"roll")  # in one go, as a fast typist or a paste sends them
        await wait_until(pilot, lambda: bool(app.screen.query(ActivityPane)))
        pane = activity(app)
        await wait_until(pilot, lambda: pane.loaded)
        # The gate lets a burst's keys through one at a time: wait for the last one.
        await wait_until(pilot, lambda: pane.query_one("#activity-filter").value == "roll")  # type: ignore[attr-defined]
        assert app.screen.query_one(ApiKeysPane).table.filter_text == ""
        await wait_until(pilot, lambda: pane.table.row_count == 4)
