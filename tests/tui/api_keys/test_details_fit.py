"""The details panel at every size: no timestamp split over two lines, the usage words whole, no toast over it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from rich.cells import cell_len

from tests.tui.fakes import NOW, FakeClient, sample_keys
from tests.tui.helpers import loaded, rendered, usage_drawn, wait_until

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
SIZES = [(120, 35), (100, 30), (80, 24), (60, 20)]


def _keys():
    keys = sample_keys(3)
    keys[0] = replace(
        keys[0],
        last_used_at=NOW - timedelta(hours=3),
        expires_at=NOW + timedelta(days=15),
        scopes=("api_keys:read", "usage:read"),
    )
    return keys


async def _shown(app, pilot) -> None:
    await loaded(pilot)
    await wait_until(pilot, lambda: usage_drawn(app.screen))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_no_timestamp_wraps_mid_value(fake_app, size) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size) as pilot:
        await _shown(app, pilot)
        details = app.screen.query_one("#details-text")
        lines = [strip.text for strip in details.render_lines(details.region.reset_offset)]
        stamps = [m for line in lines for m in STAMP.findall(line)]
        assert len(stamps) == 3, lines  # created, last used, stops working: each whole on a line


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_usage_words_are_never_cut(fake_app, size) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size) as pilot:
        await _shown(app, pilot)
        words = app.screen.query_one("#usage-text")
        text = rendered(app.screen, "#usage-text")
        assert words.size.width >= cell_len(text), (words.size, text)
        assert words.region.right <= app.screen.query_one("#key-details").content_region.right


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_toast_does_not_cover_the_details(fake_app, size) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size, notifications=True) as pilot:
        await _shown(app, pilot)
        app.notify("Renamed to “A rather long new name for the key”.")
        await wait_until(pilot, lambda: bool(app.screen.query("Toast")))
        await pilot.pause()
        details = app.screen.query_one("#key-details").region
        for toast in app.screen.query("Toast"):
            assert not toast.region.overlaps(details), (toast.region, details)
