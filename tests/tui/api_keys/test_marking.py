"""Several keys at once in the table: `space` and shift+↑/↓ mark, the header counts them, and
`d`, `delete` and `o` act on all of them after one confirmation that lists them; a partial
failure says which were done and keeps the failed ones marked."""

from __future__ import annotations

import pytest
from textual.widgets import Label

from ticos_tui.core.errors import ServerError
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.dialogs import ConfirmDialog

from ..fakes import FakeClient, sample_keys
from ..helpers import loaded, record_toasts, wait_until


def _pane(app) -> ApiKeysPane:  # type: ignore[no-untyped-def]
    return app.screen.query_one(ApiKeysPane)


def _count(app) -> str:  # type: ignore[no-untyped-def]
    return str(_pane(app).query_one("#keys-count", Label).render())


def _status(client: FakeClient) -> dict[str, str]:
    return {k.id: k.status for k in client.keys}


async def test_space_marks_and_d_revokes_all_marked_after_one_confirmation(fake_app) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("space", "space")
        await wait_until(pilot, lambda: "2 marked" in _count(app))
        table = _pane(app).table
        assert [k.id for k in table.marked_keys()] == ["key_0000", "key_0001"]
        assert table.cursor_row == 2  # space moves on, as in a file manager
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = str(app.screen.query_one(".dialog-body").render())
        assert "Revoke these 2 keys?" in body
        assert "Nightly Batch Script" in body and "[bold]Markup[/] name" in body
        assert "CI deploy" not in body
        await pilot.press("y")
        await wait_until(pilot, lambda: _status(client)["key_0001"] == "revoked")
        await wait_until(pilot, lambda: "marked" not in _count(app))
    assert _status(client) == {
        "key_0000": "revoked",
        "key_0001": "revoked",
        "key_0002": "active",
        "key_0003": "revoked",
        "key_0004": "expired",
    }


async def test_shift_arrows_mark_as_they_move_and_space_unmarks(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("shift+down", "shift+down")
        table = _pane(app).table
        await wait_until(pilot, lambda: "3 marked" in _count(app))
        assert [k.id for k in table.marked_keys()] == ["key_0000", "key_0001", "key_0002"]
        await pilot.press("shift+up")
        assert len(table.marked_keys()) == 3  # marking back over them keeps them
        await pilot.press("space")  # on key_0001: unmark it
        await wait_until(pilot, lambda: "2 marked" in _count(app))
        assert [k.id for k in table.marked_keys()] == ["key_0000", "key_0002"]


class FlakyClient(FakeClient):
    async def revoke_key(self, key_id: str):  # type: ignore[no-untyped-def]
        if key_id == "key_0001":
            raise ServerError("the server failed (503); try again later", status=503)
        return await super().revoke_key(key_id)


async def test_a_partial_failure_says_which_and_keeps_the_failed_marked(
    fake_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = FlakyClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        toasts = record_toasts(app, monkeypatch)
        await loaded(pilot)
        await pilot.press("space", "space", "space", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: any(t.title == "Revoke several keys" for t in toasts))
        (toast,) = [t for t in toasts if t.title == "Revoke several keys"]
        assert toast.severity == "error"
        assert toast.message.startswith(
            "Revoked 2 of 3: “Nightly Batch Script”, “CI deploy 🚀”. Not revoked (still marked): "
            "“[bold]Markup[/] name”: the server failed (503)"
        )
        table = _pane(app).table
        assert [k.id for k in table.marked_keys()] == ["key_0001"]
        assert "1 marked" in _count(app)
    assert _status(client)["key_0001"] == "active"


async def test_delete_acts_on_all_marked_and_skips_nothing(fake_app) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "down", "down", "space", "space", "delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = str(app.screen.query_one(".dialog-body").render())
        assert "Delete these 2 keys?" in body  # a revoked and an expired key may be deleted
        await pilot.press("y")
        await wait_until(pilot, lambda: len(client.keys) == 3)
        await wait_until(pilot, lambda: _pane(app).table.total == 3)
    assert [k.id for k in client.keys] == ["key_0000", "key_0001", "key_0002"]


async def test_roll_marked_shows_each_new_key_once_in_turn(fake_app) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("space", "space", "o")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Roll these 2 keys?" in str(app.screen.query_one(".dialog-body").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        first = app.screen
        assert "1 more to come" in str(first.query_one(".dialog-title").render())
        await pilot.press("escape")  # nothing copied: it asks, and "y" closes anyway
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: isinstance(app.screen, KeyCreatedDialog) and app.screen is not first
        )
    rolled = {k.replaces for k in client.keys if k.replaces}
    assert rolled == {"key_0000", "key_0001"}


class OldKeyUnreadable(FakeClient):
    """Rolls work; reading a key back afterwards fails (a flaky link after the roll)."""

    async def get_key(self, key_id: str):  # type: ignore[no-untyped-def]
        raise ServerError("The server had a problem (500).", status=500)


async def test_a_rolled_key_is_listed_even_when_its_old_key_cannot_be_read_back(
    fake_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = OldKeyUnreadable(sample_keys(2))
    app = fake_app(client)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("space", "o")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        new_id = next(k.id for k in client.keys if k.replaces == "key_0000")
        # The roll happened (its key is shown, once): the table lists the new key too.
        pane = app.screen_stack[-2].query_one(ApiKeysPane)
        await wait_until(pilot, lambda: pane.table.key_by_id(new_id) is not None)
        # ...and the report says it was rolled, not "still marked" as if it had failed.
        await wait_until(pilot, lambda: any("Rolled 1 of 1" in t.message for t in toasts))
        assert not pane.table.marked_keys()


async def test_review_revokes_all_listed_after_one_confirmation(fake_app) -> None:
    from ticos_tui.tui.api_keys.review_screen import ReviewScreen

    client = FakeClient(sample_keys(20))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        listed = [item.key for item in _pane(app).actions.review_items()[0]]
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        assert len(listed) >= 2  # the sample has several keys worth a look
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = str(app.screen.query_one(".dialog-body").render())
        assert f"Revoke these {len(listed)} keys?" in body
        assert all(key.name in body for key in listed)
        await pilot.press("y")
        await wait_until(pilot, lambda: all(_status(client)[k.id] == "revoked" for k in listed))
    assert all(k.status != "active" for k in client.keys if k.id in {x.id for x in listed})
