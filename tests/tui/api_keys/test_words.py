"""What the dialogs and the details say is true: revoked keys, unchanged names, empty names, pasted tabs."""

from __future__ import annotations

import pytest
from textual.widgets import Sparkline

from tests.tui.fakes import CountingBackend, FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, record_toasts, settle, table, wait_until
from ticos_tui.core.names import name_problem
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.api_keys.review_screen import ReviewScreen
from ticos_tui.tui.dialogs import ConfirmDialog


def _body(app) -> str:
    return str(app.screen.query_one(".dialog-body").render())


async def test_deleting_a_revoked_key_does_not_warn_that_applications_stop(fake_app) -> None:
    keys = sample_keys(5)  # key_0003 is revoked
    app = fake_app(FakeClient(keys))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        tbl.cursor_row = next(i for i, k in enumerate(tbl.rows) if k.status == "revoked")
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = _body(app)
        assert "stop working" not in body
        assert "already revoked" in body
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))

        tbl.cursor_row = next(i for i, k in enumerate(tbl.rows) if k.status == "active")
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "stop working immediately" in _body(app)


async def test_backspace_deletes_like_the_delete_key(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("backspace")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.query_one(".dialog-title").render().plain == "Delete API key"


async def test_renaming_to_the_same_name_sends_nothing_and_says_so(fake_app, monkeypatch) -> None:
    backend = CountingBackend(FakeClient(sample_keys(3)))
    app = fake_app(backend)  # type: ignore[arg-type]
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        name = table(app).selected_key.name
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))
        await settle(pilot)
        assert backend.calls["rename_key"] == 0
        assert not any(t.message.startswith("Renamed") for t in toasts)
        assert any("unchanged" in t.message for t in toasts), toasts
        assert table(app).selected_key.name == name


async def test_enter_on_an_empty_name_says_what_is_missing(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(1)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        problem = app.screen.query_one("#name-problem")
        assert "Enter a name" not in str(problem.render())  # not scolded before trying
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Enter a name" in str(problem.render()))
        assert isinstance(app.screen, CreateKeyDialog)


@pytest.mark.parametrize(
    ("char", "words"),
    [("\t", "a tab character"), ("\n", "a line break"), ("\x1b", "an escape character")],
)
def test_a_forbidden_character_is_named_in_words(char: str, words: str) -> None:
    problem = name_problem(f"CI{char}deploy") or ""
    assert words in problem and "U+" not in problem


def test_an_unnamed_control_character_still_gives_its_code() -> None:
    assert "U+202E" in (name_problem("a\u202eb") or "")


async def test_a_pasted_tab_is_named_in_the_dialog(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(1)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, CreateKeyDialog) and bool(app.screen.query("#name")),
        )
        app.screen.query_one("#name").insert_text_at_cursor("CI\tdeploy")
        problem = app.screen.query_one("#name-problem")
        await wait_until(pilot, lambda: "a tab character" in str(problem.render()))


async def test_no_sparkline_is_drawn_when_no_key_is_selected(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"no such key")
        details = pane(app).query_one("#details-text")
        await wait_until(pilot, lambda: "No key selected" in str(details.render()))
        await wait_until(pilot, lambda: bool(pane(app).query(Sparkline)))  # after the first frame
        assert not pane(app).query_one(Sparkline).visible


async def test_review_does_not_offer_to_roll_a_key_being_rolled(fake_app) -> None:
    client = FakeClient(sample_keys(3))
    await client.roll_key("key_0000", grace_seconds=3600)
    app = fake_app(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        options = review.query_one("#review-items")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("key_0000")
        await pilot.pause()
        assert "o: roll" not in str(review.query_one(".hint").render())
        await pilot.press("o")
        await pilot.pause()
        assert app.screen is review  # not dismissed to roll it a second time
        assert client.keys[0].id != "key_0000" and len(client.keys) == 4
