"""At 60×20 no label or button of a dialog is cut mid-word: each reads whole on screen."""

from __future__ import annotations

from textual.widgets import Button, RadioButton

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, wait_until
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog


def _whole(screen, kinds) -> list[str]:
    """The labels of `kinds` on `screen` that do not fit inside the dialog's frame."""
    frame = screen.query_one("Dialog > Vertical, Dialog > VerticalScroll").scrollable_content_region
    cut = []
    for widget in screen.query(",".join(k.__name__ for k in kinds)):
        if not widget.display:
            continue
        label = widget.label.plain if hasattr(widget.label, "plain") else str(widget.label)
        region = widget.region
        if region.right > frame.right or region.x < frame.x or widget.size.width < len(label):
            cut.append(label)
    return cut


async def test_dialogs_at_60_columns_show_every_label_whole(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        await pilot.pause()
        assert _whole(app.screen, [RadioButton, Button]) == []
        await pilot.press(*"Nightly", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.pause()
        assert _whole(app.screen, [Button]) == []
