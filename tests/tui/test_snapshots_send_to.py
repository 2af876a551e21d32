"""The key-created dialog with its Send to… action, and the destination prompt, as SVG snapshots
at 120x35 and 80x24 (fixed data and clock, animations off)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stand_ins import StandIns, make_stand_ins
from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import account_settled, usage_drawn, wait_until

SIZES = [(120, 35), (80, 24)]


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_stand_ins(tmp_path, monkeypatch)


async def _created(pilot) -> None:
    from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
    from ticos_tui.tui.api_keys.pane import ApiKeysPane

    app = pilot.app
    await wait_until(
        pilot,
        lambda: bool(app.screen.query(ApiKeysPane)) and app.screen.query_one(ApiKeysPane).loaded,
    )
    await pilot.press("n", *"Nightly Batch Script", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
    pane = pilot.app.screen_stack[-2].query_one(ApiKeysPane)
    # The page behind shows through: let the new row's usage arrive before the picture.
    await wait_until(pilot, lambda: usage_drawn(pane))
    await wait_until(pilot, lambda: account_settled(app))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["120x35", "80x24"])
def test_key_created_dialog_with_send_to(snap_compare, fake_app, size) -> None:
    assert snap_compare(
        fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=_created
    )


@pytest.mark.parametrize("size", SIZES, ids=["120x35", "80x24"])
def test_send_to_prompt(snap_compare, fake_app, size) -> None:
    async def prompt(pilot) -> None:
        from ticos_tui.tui.api_keys.send_to import SendToDialog

        await _created(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SendToDialog))
        await pilot.press(*"pass:ci/deploy")
        await pilot.pause()

    assert snap_compare(fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=prompt)


@pytest.mark.parametrize("size", SIZES, ids=["120x35", "80x24"])
def test_key_sent_to_a_store(snap_compare, fake_app, stand_ins: StandIns, size) -> None:
    stand_ins.install("gh")

    async def sent(pilot) -> None:
        await _created(pilot)
        await pilot.press("s", *"gh:TICOS_API_KEY@acme/api", "enter")
        dialog = pilot.app.screen
        await wait_until(pilot, lambda: "Stored" in str(dialog.query_one("#copy-status").render()))
        await pilot.pause()

    assert snap_compare(fake_app(FakeClient(sample_keys())), terminal_size=size, run_before=sent)
