"""Every dialog fits 80×24 whole, without a scrollbar, and 60×20 too (issue 20)."""

from __future__ import annotations

import pytest
from textual.containers import ScrollableContainer

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, wait_until
from ticos_tui.tui.dialogs import Dialog

# dialog: (the class that shows it, the keys that open it)
OPENINGS = {
    "create": ("CreateKeyDialog", ("n",)),
    "rename": ("RenameKeyDialog", ("e",)),
    "revoke": ("ConfirmDialog", ("d",)),
    "delete": ("ConfirmDialog", ("delete",)),
    "roll": ("RollKeyDialog", ("o",)),
    "key-created": ("KeyCreatedDialog", ("n", *"Nightly", "enter")),
    "env-file": ("EnvFileDialog", ("n", *"Nightly", "enter", "a")),
    "help": ("HelpScreen", ("question_mark",)),
    "review": ("ReviewScreen", ("v",)),
}


def _review_keys():
    """Keys the review has something to say about, so its list is not empty."""
    from dataclasses import replace
    from datetime import timedelta

    from tests.tui.fakes import NOW

    keys = sample_keys(5)
    keys[0] = replace(keys[0], created_at=NOW - timedelta(days=40), last_used_at=None)
    keys[2] = replace(keys[2], expires_at=NOW + timedelta(days=2))
    return keys


def misfits(screen: Dialog) -> list[str]:
    """What of the dialog on top is outside the screen, or scrolls."""
    frame = screen.query_one("Dialog > Vertical, Dialog > VerticalScroll")
    room = screen.region
    problems = []
    hints = screen.query_one("KeyHints")
    if frame.region.y < room.y or frame.region.right > room.right or frame.region.x < room.x:
        problems.append(f"frame {frame.region} outside {room}")
    if frame.region.bottom > hints.region.y:
        problems.append(f"frame {frame.region} under the hints line at {hints.region.y}")
    for scroller in [frame, *screen.query(ScrollableContainer)]:
        if scroller.max_scroll_y > 0 and scroller.display:
            problems.append(f"{scroller} scrolls by {scroller.max_scroll_y}")
    return problems


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", list(OPENINGS))
async def test_each_dialog_fits_whole(fake_app, copied, dialog, size) -> None:
    app = fake_app(FakeClient(_review_keys()))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        shown, keys = OPENINGS[dialog]
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await wait_until(pilot, lambda: type(app.screen).__name__ == shown)
        await wait_until(pilot, lambda: bool(app.screen.query("KeyHints")))
        await pilot.pause()
        assert misfits(app.screen) == []


async def test_review_reasons_keep_their_indent_at_60_columns(fake_app) -> None:
    from ticos_tui.tui.api_keys.review_screen import ReviewScreen

    app = fake_app(FakeClient(_review_keys()))
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await wait_until(pilot, lambda: bool(app.screen.query("#review-items")))
        await pilot.pause()
        items = app.screen.query_one("#review-items")
        lines = [strip.text for strip in items.render_lines(items.region.reset_offset)]
        bullets = [i for i, line in enumerate(lines) if line.lstrip().startswith("•")]
        assert bullets, lines
        indent = lines[bullets[0]].index("•")
        continued = [
            line
            for line in lines
            if line.strip() and "•" not in line and "key_" not in line  # not a name, not a bullet
        ]
        assert continued, lines  # a reason too long for 60 columns goes on
        for line in continued:
            # A reason's next line starts under its words, not at the left edge.
            assert line[: indent + 2].strip() == "", lines
