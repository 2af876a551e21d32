"""Rename starts with the old name selected: typing replaces it, an arrow key keeps it (issue 20)."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, table, wait_until
from ticos_tui.tui.api_keys.rename import RenameKeyDialog


async def _open(app, pilot) -> Input:
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
    await pilot.pause()
    return app.screen.query_one("#name", Input)


async def test_typing_replaces_the_old_name_at_every_opening(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        old = table(app).selected_key.name
        for _ in range(2):  # the second opening is the kept dialog, reset
            name = await _open(app, pilot)
            assert name.value == old
            assert name.selected_text == old
            await pilot.press(*"deploy-bot")
            assert name.value == "deploy-bot"
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))


async def test_a_key_typed_with_the_e_that_opens_rename_replaces_the_name(fake_app) -> None:
    from tests.tui.helpers import burst

    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        burst(app, "e", "n", "e", "w")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        name = app.screen.query_one("#name", Input)
        await wait_until(pilot, lambda: name.value == "new")


async def test_end_keeps_the_old_name_to_add_to(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(3)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        old = table(app).selected_key.name
        name = await _open(app, pilot)
        await pilot.press("end", *" 2")
        assert name.value == f"{old} 2"
