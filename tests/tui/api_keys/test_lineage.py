"""Roll lineage in the TUI (v1.2): the table marks a rolled key and its successor, the details name
both ids, and `l` goes from one to the other, through the filter and back."""

from __future__ import annotations

from ticos_tui.settings.config import Settings
from ticos_tui.tui.app import make_app
from ticos_tui.wiring import open_client

from ..helpers import loaded, rendered, row_text, table, wait_until


async def _seed_roll(settings: Settings) -> tuple[str, str, str]:
    client = open_client(settings)
    try:
        old = (await client.create_key("Deploy")).api_key.id
        new = (await client.roll_key(old, grace_seconds=3600)).api_key.id
        await client.rename_key(new, "Deploy v2")
        twin = (await client.create_key("Deploy")).api_key.id  # same name, by hand
        return old, new, twin
    finally:
        await client.aclose()


async def test_lineage_is_shown_and_l_goes_to_the_related_key(settings: Settings) -> None:
    old, new, twin = await _seed_roll(settings)
    app = make_app(settings)
    async with app.run_test(size=(160, 35)) as pilot:  # the marker whole beside the name
        await loaded(pilot)
        tbl = table(app)
        rows = {key.id: i for i, key in enumerate(tbl.rows)}
        assert f"rolled → {new[:8]}…" in row_text(tbl, rows[old])
        assert f"replaces {old[:8]}…" in row_text(tbl, rows[new])
        assert "rolled" not in row_text(tbl, rows[twin]) and "replaces" not in row_text(
            tbl, rows[twin]
        )
        tbl.cursor_row = rows[old]
        await wait_until(pilot, lambda: f"rolled → {new}" in rendered(app, "#details-text"))
        assert any(b.binding.action == "lineage" for b in app.screen.active_bindings.values())
        await pilot.press("l")
        await wait_until(pilot, lambda: tbl.selected_key is not None and tbl.selected_key.id == new)
        assert f"replaces {old}" in rendered(app, "#details-text")
        # The filter hides the old key: `l` shows the whole list again to go to it.
        await pilot.press("slash", "v", "2", "enter")
        await wait_until(pilot, lambda: [k.id for k in tbl.rows] == [new])
        await pilot.press("l")
        await wait_until(pilot, lambda: tbl.selected_key is not None and tbl.selected_key.id == old)
        assert len(tbl.rows) == 3 and tbl.filter_text == ""
        # On a key without lineage, `l` does nothing (and is not offered).
        tbl.cursor_row = next(i for i, k in enumerate(tbl.rows) if k.id == twin)
        await pilot.pause()
        assert not any(b.binding.action == "lineage" for b in app.screen.active_bindings.values())
        await pilot.press("l")
        await pilot.pause()
        assert tbl.selected_key is not None and tbl.selected_key.id == twin
