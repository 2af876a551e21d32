"""Least privilege at creation, rotation, key review and usage, driven through the Pilot."""

from __future__ import annotations

from datetime import timedelta

from tests.tui.fakes import NOW
from tests.tui.helpers import loaded, rendered, seed, table, wait_until
from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.create import CreateKeyDialog, expiry_from_choice
from ticos_tui.tui.api_keys.details import KeyDetails
from ticos_tui.tui.api_keys.env_file import EnvFileDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.review_screen import ReviewScreen
from ticos_tui.tui.api_keys.roll import RollKeyDialog
from ticos_tui.tui.app import make_app
from ticos_tui.tui.dialogs import ConfirmDialog
from ticos_tui.wiring import open_client


async def test_create_with_chosen_scopes_and_expiry(settings: Settings, copied: list[str]) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"reporting")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        dialog = app.screen
        await pilot.press("tab")  # to the access choice
        await pilot.press("right", "enter")  # Choose scopes
        await wait_until(pilot, lambda: dialog.has_class("-custom-scopes"))
        assert dialog.query_one("#submit").disabled  # no scope chosen yet
        assert "at least one scope" in str(dialog.query_one("#options-problem").render())
        dialog.query_one("#preset").value = "read-only"
        await pilot.pause()
        dialog.query_one("#expiry").value = "30"
        await pilot.pause()
        assert not dialog.query_one("#submit").disabled
        await pilot.click("#submit")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("c", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        key = table(app).selected_key
        assert key.name == "reporting"
        assert (
            set(key.scopes) == {s for s in key.scopes if s.endswith(":read")}
            and "api_keys:read" in key.scopes
        )
        assert key.expires_at is not None
        assert timedelta(days=29) < key.expires_at - key.created_at <= timedelta(days=30, seconds=5)


def test_expiry_choices() -> None:
    assert expiry_from_choice("never", "", NOW) == (None, None)
    assert expiry_from_choice("7", "", NOW)[0] == NOW + timedelta(days=7)
    assert (
        expiry_from_choice("date", "2027-01-31", NOW)[0]
        .isoformat()
        .startswith("2027-01-31T23:59:59")
    )
    assert "YYYY-MM-DD" in expiry_from_choice("date", "31/01/2027", NOW)[1]
    assert "future" in expiry_from_choice("date", "2020-01-01", NOW)[1]
    assert "10 years" in expiry_from_choice("date", "2040-01-01", NOW)[1]


async def test_roll_shows_new_key_once_and_old_row_expiry(
    settings: Settings, copied: list[str]
) -> None:
    [old_id] = await seed(settings, "web app")
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, RollKeyDialog))
        await pilot.press("down", "enter")  # In 24 hours
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("c", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        tbl = table(app)
        new = tbl.selected_key
        assert new.id != old_id and new.name == "web app"
        old = tbl.key_by_id(old_id)
        assert old.status == "active" and old.expires_at is not None
        assert (
            timedelta(hours=23) < old.expires_at - new.created_at <= timedelta(hours=24, seconds=5)
        )
        old_row = next(i for i, k in enumerate(tbl.rows) if k.id == old_id)
        assert (
            "in 23 hours" in tbl.render_line(old_row + 1).text
            or "in 1 day" in tbl.render_line(old_row + 1).text
        )
    client = open_client(settings)
    try:
        assert (await client.verify(copied[0])).valid
    finally:
        await client.aclose()


async def test_review_lists_reasons_and_revokes_from_there(settings: Settings) -> None:
    await seed(settings, "dup", "dup", "unique")
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert "2 of 3 active keys" in str(review.query_one("#review-summary").render())
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen is not review
        )
        assert "Nothing to review" in str(app.screen.query_one("#review-summary").render())
        await pilot.press("escape")
        statuses = sorted(k.status for k in table(app).all_keys)
        assert statuses == ["active", "active", "revoked"]


async def test_details_panel_shows_usage_sparkline(settings: Settings) -> None:
    [key_id] = await seed(settings, "used")
    client = open_client(settings)
    try:
        [created] = [k for k in await client.list_keys() if k.id == key_id]
    finally:
        await client.aclose()
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        details = app.screen.query_one(KeyDetails)
        await wait_until(
            pilot,
            lambda: "requests in the last 30 days" in rendered(details, "#usage-text"),
        )
        data = details.query_one("#usage-sparkline").data
        assert len(data) == 30 and all(isinstance(v, int) for v in data)
        assert created.id in str(details.query_one("#details-text").render())


async def test_append_key_to_env_file(settings: Settings, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"env key", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, EnvFileDialog))
        await pilot.press("enter")  # the default path: ./.env
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        assert "TICOS_API_KEY" in str(app.screen.query_one("#copy-status").render())
        await pilot.press("enter")  # saved, so Done closes without asking
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
    text = (tmp_path / ".env").read_text()
    assert (
        text.startswith("TICOS_API_KEY=tk_") and (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
    )
