"""Screens pinned as SVG snapshots (fixed data and clock, animations off)."""

from __future__ import annotations

import pytest
from textual import events

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import account_settled, usage_drawn, wait_until
from ticos_tui.core.errors import ConnectionFailed


async def _keys_shown(pilot) -> None:
    """Keys on screen and the selected key's usage drawn, so nothing arrives mid-snapshot."""
    from ticos_tui.tui.api_keys.pane import ApiKeysPane

    app = pilot.app
    await wait_until(
        pilot,
        lambda: bool(app.screen.query(ApiKeysPane)) and app.screen.query_one(ApiKeysPane).loaded,
    )
    pane = app.screen.query_one(ApiKeysPane)
    if pane.table.total:
        await wait_until(pilot, lambda: usage_drawn(pane))
    await wait_until(pilot, lambda: account_settled(app))
    await pilot.pause()


def test_loading(snap_compare, fake_app) -> None:
    client = FakeClient(sample_keys())
    client.hang_load = True
    assert snap_compare(fake_app(client), terminal_size=(120, 35))


def test_list_with_keys(snap_compare, fake_app) -> None:
    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=_keys_shown
    )


def test_list_at_80x24(snap_compare, fake_app) -> None:
    assert snap_compare(
        fake_app(FakeClient(sample_keys(12))), terminal_size=(80, 24), run_before=_keys_shown
    )


def _long_text_keys():
    """Sample keys with the longest times the clock words and a long name (issue 12)."""
    from dataclasses import replace
    from datetime import timedelta

    from tests.tui.fakes import NOW

    keys = sample_keys(6)
    keys[0] = replace(
        keys[0],
        name="My Application Integration Key",
        scopes=("api_keys:read", "usage:read"),
        created_at=NOW - timedelta(minutes=59),
        last_used_at=NOW - timedelta(minutes=10),
        expires_at=NOW + timedelta(minutes=59),
    )
    keys[1] = replace(keys[1], last_used_at=NOW - timedelta(days=330))
    return keys


def test_list_long_text_at_120x35(snap_compare, fake_app) -> None:
    assert snap_compare(
        fake_app(FakeClient(_long_text_keys())), terminal_size=(120, 35), run_before=_keys_shown
    )


def test_list_long_text_at_80x24(snap_compare, fake_app) -> None:
    assert snap_compare(
        fake_app(FakeClient(_long_text_keys())), terminal_size=(80, 24), run_before=_keys_shown
    )


def test_list_at_60x20(snap_compare, fake_app) -> None:
    assert snap_compare(
        fake_app(FakeClient(_long_text_keys())), terminal_size=(60, 20), run_before=_keys_shown
    )


def test_list_sorted_by_status_reversed(snap_compare, fake_app) -> None:
    async def sorted_(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("s", "s", "s", "S")  # created -> name -> last used -> status, reversed
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=sorted_
    )


def test_create_dialog_at_60x20(snap_compare, fake_app) -> None:
    async def opened(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(60, 20), run_before=opened
    )


def test_key_created_dialog_at_60x20(snap_compare, fake_app) -> None:
    async def created(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n", *"Nightly Batch Script", "enter")
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(60, 20), run_before=created
    )


def test_empty_state(snap_compare, fake_app) -> None:
    assert snap_compare(fake_app(FakeClient([])), terminal_size=(120, 35), run_before=_keys_shown)


def test_error_state(snap_compare, fake_app) -> None:
    failure = ConnectionFailed(
        "cannot connect to http://127.0.0.1:9/v1 (connection refused); is `ticos-tui serve` running?"
    )

    async def failed(pilot) -> None:
        await wait_until(
            pilot,
            lambda: (
                pilot.app.screen.query("#keys-body")
                and pilot.app.screen.query_one("#keys-body").current == "keys-error"
            ),
        )

    assert snap_compare(
        fake_app(FakeClient(fail_load=failure)), terminal_size=(120, 35), run_before=failed
    )


def test_create_dialog_with_invalid_name(snap_compare, fake_app) -> None:
    async def invalid(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n", "x")
        # The other 100 pasted, not pressed: 101 Pilot presses take seconds.
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#name")))
        pilot.app.screen.query_one("#name").post_message(events.Paste("x" * 100))
        await wait_until(
            pilot, lambda: "limit" in str(pilot.app.screen.query_one("#name-problem").render())
        )
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=invalid
    )


def test_key_created_dialog(snap_compare, fake_app) -> None:
    async def created(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n", *"Nightly Batch Script", "enter")
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
        # The page behind shows through: let the new row's usage arrive before the picture.
        from ticos_tui.tui.api_keys.pane import ApiKeysPane

        pane = pilot.app.screen_stack[-2].query_one(ApiKeysPane)

        def usage_shown() -> bool:
            details = str(pane.query_one("#details-text").render())
            return "key_1001" in details and usage_drawn(pane)

        await wait_until(pilot, usage_shown)
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=created
    )


def test_revoke_confirmation(snap_compare, fake_app) -> None:
    async def confirm(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=confirm
    )


def test_help_screen(snap_compare, fake_app) -> None:
    async def help_open(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=help_open
    )


def test_create_dialog_with_scopes(snap_compare, fake_app) -> None:
    async def scoped(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n", *"Read-only reporting")
        dialog = pilot.app.screen
        dialog.query_one("#access-custom").value = True
        await pilot.pause()
        dialog.query_one("#preset").value = "read-only"
        await pilot.pause()
        dialog.query_one("#expiry").value = "90"
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 40), run_before=scoped
    )


def test_review_view(snap_compare, fake_app) -> None:
    async def review(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("v")
        await pilot.pause()

    keys = sample_keys(8)
    assert snap_compare(fake_app(FakeClient(keys)), terminal_size=(120, 40), run_before=review)


def test_details_panel_with_sparkline(snap_compare, fake_app) -> None:
    async def usage(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("down")
        await wait_until(pilot, lambda: usage_drawn(pilot.app.screen))
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=(120, 35), run_before=usage
    )


SIZES = [(120, 35), (80, 24), (60, 20)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_hints(snap_compare, fake_app, size) -> None:
    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=_keys_shown
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_revoke_dialog_hints(snap_compare, fake_app, size) -> None:
    async def confirm(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: pilot.app.screen.query("KeyHints"))
        await pilot.pause()

    assert snap_compare(fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=confirm)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_create_dialog_hints(snap_compare, fake_app, size) -> None:
    async def create(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("n", *"Typed at once")
        await wait_until(pilot, lambda: pilot.app.screen.query("KeyHints"))
        await pilot.pause()

    assert snap_compare(fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=create)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_at_sizes(snap_compare, fake_app, size) -> None:
    async def help_open(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: pilot.app.screen.query("KeyHints"))
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=help_open
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filter_hints(snap_compare, fake_app, size) -> None:
    async def filtering(pilot) -> None:
        await _keys_shown(pilot)
        await pilot.press("slash", *"web")
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=filtering
    )


# dialog: (the class that shows it, the keys that open it)
_DIALOGS = {
    "rename": ("RenameKeyDialog", ("e",)),
    "delete": ("ConfirmDialog", ("delete",)),
    "roll": ("RollKeyDialog", ("o",)),
    "key-created": ("KeyCreatedDialog", ("n", *"Nightly", "enter", "usage")),
    "env-file": ("EnvFileDialog", ("n", *"Nightly", "enter", "usage", "a")),
    "review": ("ReviewScreen", ("v",)),
}


async def _new_key_usage_shown(pilot) -> None:
    from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
    from ticos_tui.tui.api_keys.pane import ApiKeysPane

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
    pane = pilot.app.screen_stack[-2].query_one(ApiKeysPane)

    def usage_shown() -> bool:
        details = str(pane.query_one("#details-text").render())
        return "key_1001" in details and usage_drawn(pane)

    await wait_until(pilot, usage_shown)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", list(_DIALOGS))
def test_dialog_whole_at_sizes(snap_compare, fake_app, dialog, size) -> None:
    """Each dialog whole at 120×35, 80×24 and 60×20: no scrollbar, no cut button (issue 20)."""

    async def opened(pilot) -> None:
        await _keys_shown(pilot)
        shown, keys = _DIALOGS[dialog]
        for key in keys:
            if key == "usage":  # the new key's usage in, behind the dialog: nothing arrives later
                await _new_key_usage_shown(pilot)
                continue
            await pilot.press(key)
            await pilot.pause()
        await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == shown)
        await wait_until(pilot, lambda: pilot.app.screen.query("KeyHints"))
        await pilot.pause()

    assert snap_compare(fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=opened)
