"""The dialogs' fields check themselves with Textual validators (the one name rule, the one date
rule): an invalid field is marked (`-invalid`: its border) and the dialog says why."""

from __future__ import annotations

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, press_for, rendered, wait_until
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.rename import RenameKeyDialog


async def test_the_name_field_is_marked_only_when_its_name_would_be_refused(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        dialog = await press_for(pilot, "n", CreateKeyDialog)
        name = dialog.query_one("#name")
        assert not name.has_class("-invalid")  # empty, not tried: nothing to say yet
        await pilot.press(*"x" * 101)
        await wait_until(pilot, lambda: "the limit is 100" in rendered(dialog, "#name-problem"))
        assert name.has_class("-invalid")
        await pilot.press("backspace")
        await wait_until(pilot, lambda: not name.has_class("-invalid"))
        await pilot.press("ctrl+u")  # cleared: still nothing said before enter
        await wait_until(pilot, lambda: name.value == "")
        assert not name.has_class("-invalid")
        await pilot.press("enter")  # tried empty: now it is a problem, and marked
        await wait_until(pilot, lambda: name.has_class("-invalid"))
        assert isinstance(app.screen, CreateKeyDialog)  # nothing was sent


async def test_a_cleared_rename_is_marked_at_once(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        name = (await press_for(pilot, "e", RenameKeyDialog)).query_one("#name")
        assert not name.has_class("-invalid")
        await pilot.press("backspace")  # the old name was selected: it is gone
        await wait_until(pilot, lambda: name.has_class("-invalid"))


async def test_the_date_field_is_marked_while_the_date_would_be_refused(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        dialog = await press_for(pilot, "n", CreateKeyDialog)
        dialog.query_one("#expiry").value = "date"
        await wait_until(pilot, lambda: bool(dialog.query("#expiry-date")))
        date = dialog.query_one("#expiry-date")
        date.value = "2001-01-01"
        await wait_until(
            pilot, lambda: "must be in the future" in rendered(dialog, "#options-problem")
        )
        assert date.has_class("-invalid")
        date.value = "2027-06-30"
        await wait_until(pilot, lambda: rendered(dialog, "#options-problem") == "")
        assert not date.has_class("-invalid")
