"""Send to… in the key-created dialog: the key goes to the store on stdin; "stored in" only when
the tool said so; on failure the dialog stays open with the key and the tool's words; the last
destination is offered next time."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.stand_ins import StandIns, make_stand_ins
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.send_to import SendToDialog
from ticos_tui.tui.dialogs import ConfirmDialog

from ..fakes import FIXED_KEY
from ..helpers import loaded, wait_until


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_stand_ins(tmp_path, monkeypatch)


async def _created(pilot) -> KeyCreatedDialog:
    await loaded(pilot)
    await pilot.press("n", *"ci", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
    return pilot.app.screen


def _status(dialog: KeyCreatedDialog) -> str:
    return str(dialog.query_one("#copy-status").render())


async def _send(pilot, text: str) -> None:
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SendToDialog))
    field = pilot.app.screen.query_one("#send-dest", Input)
    field.value = text
    await pilot.press("enter")


async def test_send_to_stores_on_stdin_and_closes_without_asking(
    fake_app, stand_ins: StandIns
) -> None:
    stand_ins.install("gh")
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await _send(pilot, "gh:TICOS_API_KEY@acme/api")
        await wait_until(pilot, lambda: "Stored" in _status(dialog))
        assert _status(dialog) == "✓ Stored in GitHub secret TICOS_API_KEY of acme/api."
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        assert not isinstance(app.screen, ConfirmDialog)  # a confirmed store needs no guard
    (call,) = stand_ins.calls()
    assert call["argv"] == ["gh", "secret", "set", "TICOS_API_KEY", "--repo", "acme/api"]
    assert call["stdin"] == FIXED_KEY
    assert FIXED_KEY not in call["cmdline"] and FIXED_KEY not in call["environ"]


async def test_a_failed_send_keeps_the_dialog_and_the_key(
    fake_app, stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins.install("vault")
    monkeypatch.setenv("STAND_IN_FAIL_WHEN", "kv put")
    monkeypatch.setenv("STAND_IN_MESSAGE", "Error: permission denied [b]x[/b]")
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await _send(pilot, "vault:secret/app")
        await wait_until(pilot, lambda: "Not stored" in _status(dialog))
        assert _status(dialog) == (
            "⚠ Not stored: vault failed (exit 1): Error: permission denied [b]x[/b]"
        )
        assert app.screen is dialog
        assert FIXED_KEY in str(dialog.query_one("#full-key").render())
        await pilot.press("escape")  # nothing confirmed: closing still asks
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))


async def test_a_bad_destination_keeps_the_prompt_open_with_what_to_write(fake_app) -> None:
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _created(pilot)
        await _send(pilot, "dropbox:x")
        prompt = app.screen
        assert isinstance(prompt, SendToDialog)
        await wait_until(
            pilot, lambda: "unknown destination" in str(prompt.query_one("#send-problem").render())
        )


async def test_the_last_destination_is_offered_next_time(fake_app, stand_ins: StandIns) -> None:
    stand_ins.install("doppler")
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await _send(pilot, "doppler:TICOS_API_KEY")
        await wait_until(pilot, lambda: "Stored" in _status(dialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("n", *"second", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SendToDialog))
        assert app.screen.query_one("#send-dest", Input).value == "doppler:TICOS_API_KEY"
