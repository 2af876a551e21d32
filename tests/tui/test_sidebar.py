"""Below 100 columns the sidebar folds away; `b` brings it back, and the keyboard reaches Profile."""

from __future__ import annotations

import pytest

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, rendered, wait_until
from ticos_tui.tui.help import HelpScreen


def _sidebar_shown(app) -> bool:
    return app.screen.query_one("#sidebar-column").display


@pytest.mark.parametrize(
    ("size", "shown"), [((120, 35), True), ((80, 24), False), ((60, 20), False)]
)
async def test_the_sidebar_folds_below_100_columns(fake_app, size, shown) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        assert _sidebar_shown(app) is shown


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_b_shows_the_sidebar_and_profile_is_a_key_away(fake_app, size) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        hints = rendered(app.screen, "KeyHints")
        assert " b Sidebar " in hints, hints
        await pilot.press("b")
        await wait_until(pilot, lambda: _sidebar_shown(app))
        assert app.screen.focused is app.screen.query_one("#sidebar")
        await pilot.press("up")
        await wait_until(pilot, lambda: app.screen.query_one("#sections").current == "profile")
        await wait_until(pilot, lambda: "Ada Lovelace" in rendered(app.screen, "#profile-body"))
        await pilot.press("b")  # folds again, and the focus leaves the hidden list
        await wait_until(pilot, lambda: not _sidebar_shown(app))
        assert app.screen.focused is not app.screen.query_one("#sidebar")


async def test_help_says_how_to_reach_profile(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.rows())
        assert "Profile" in rows.get("b", ""), rows
