"""The roll dialog's expiry choice, and a roll the server refuses (409), driven through the Pilot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.roll import RollKeyDialog
from ticos_tui.tui.app import make_app
from ticos_tui.wiring import open_client

from ..helpers import loaded, record_toasts, table, wait_until


async def _seed_expiring(settings: Settings, days: int) -> str:
    client = open_client(settings)
    try:
        expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
        return (await client.create_key("expiring", expires_at=expires)).api_key.id
    finally:
        await client.aclose()


async def _roll(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.press("o")
    await wait_until(pilot, lambda: isinstance(app.screen, RollKeyDialog))
    await pilot.pause()
    await pilot.press(*keys)


async def _close_created(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
    await pilot.press("c", "enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))


async def test_roll_keeps_the_lifetime_by_default(settings: Settings, copied: list[str]) -> None:
    old_id = await _seed_expiring(settings, 30)
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        old = table(app).key_by_id(old_id)
        # One wording for the same span: the table said "in 4 weeks", the dialog "in 1 month".
        row = table(app).render_line(1 + table(app).rows.index(old)).text
        assert "in 30 days" in row, row
        await _roll(pilot)
        assert "Same lifetime as the old key: 30 days" in str(
            app.screen.query_one("#expiry").get_option_at_index(0).prompt
        )
        await pilot.press("enter")
        await _close_created(pilot)
        new = table(app).selected_key
        assert new.id != old_id and new.expires_at is not None
        assert new.expires_at - new.created_at == old.expires_at - old.created_at


async def test_roll_with_a_chosen_expiry(settings: Settings, copied: list[str]) -> None:
    old_id = await _seed_expiring(settings, 30)
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        # Grace list: keep an hour; tab to the expiry list: keep, never, 7 days → "In 7 days".
        await _roll(pilot, "tab", "down", "down", "enter")
        await _close_created(pilot)
        new = table(app).selected_key
        assert new.id != old_id and new.expires_at is not None
        assert timedelta(days=7) - timedelta(minutes=1) < new.expires_at - new.created_at
        assert new.expires_at - new.created_at <= timedelta(days=7)
        await _roll(pilot, "tab", "down", "enter")  # "Never"
        await _close_created(pilot)
        assert table(app).selected_key.expires_at is None


async def test_roll_refused_by_the_server_says_why_and_refreshes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_id = await _seed_expiring(settings, 30)
    app = make_app(settings)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        other = open_client(settings)  # revoked elsewhere while the TUI still shows it active
        try:
            await other.revoke_key(old_id)
        finally:
            await other.aclose()
        assert table(app).key_by_id(old_id).status == "active"
        await _roll(pilot, "enter")
        await wait_until(pilot, lambda: any(t.title == "Roll failed" for t in toasts))
        [toast] = [t for t in toasts if t.title == "Roll failed"]
        assert "revoked" in toast.message and "create a new key" in toast.message
        assert toast.severity == "error"
        await wait_until(pilot, lambda: table(app).key_by_id(old_id).status == "revoked")
        assert len(table(app).rows) == 1  # no successor
