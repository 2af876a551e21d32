"""Columns fit their own text (times, scopes), spare width goes to the name, and every sort shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.tui.fakes import NOW, FakeClient, sample_keys
from tests.tui.helpers import loaded, pane, row_text, table, wait_until
from ticos_tui.core.models import ApiKey

LONG_NAME = "My Application Integration Key"


def _keys() -> list[ApiKey]:
    """Keys whose times read as the longest words the relative clock makes."""
    base = sample_keys(5)
    return [
        replace(
            base[0],
            name=LONG_NAME,
            scopes=("api_keys:read", "usage:read"),
            created_at=NOW - timedelta(minutes=59),
            last_used_at=NOW - timedelta(minutes=10),
            expires_at=NOW + timedelta(minutes=59),
        ),
        replace(
            base[1], created_at=NOW - timedelta(days=330), last_used_at=NOW - timedelta(days=330)
        ),
        *base[2:],
    ]


def _count_line(app) -> str:
    return str(pane(app).query_one("#keys-count").render())


@pytest.mark.parametrize("size", [(120, 35), (80, 24), (60, 20)])
async def test_no_cell_cuts_its_own_text(fake_app, size: tuple[int, int]) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        tbl = table(app)
        layout = dict((column.key, width) for column, width in tbl.shown_columns)
        for row in range(tbl.total):
            key = tbl.rows[row]
            # Only a name longer than its column may be cut, never a time, a status or the scopes.
            rest = row_text(tbl, row)[1 + layout["name"] :]
            assert "…" not in rest.replace(key.snippet, ""), rest
        first = row_text(tbl, 0)
        if "last_used" in layout:
            assert "10 minutes ago" in first
        if "created" in layout:
            assert "59 minutes ago" in first
        if "expires" in layout:
            assert "in 59 minutes" in first


async def test_at_160_columns_the_name_and_the_scopes_read_whole(fake_app) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        first = row_text(tbl, 0)
        assert LONG_NAME in first
        layout = dict((column.key, width) for column, width in tbl.shown_columns)
        assert "scopes" in layout
        from ticos_tui.core.present import scopes_summary

        assert scopes_summary(tbl.rows[0], layout["scopes"]) in first
        assert "api_keys:r…" not in first


@pytest.mark.parametrize("size", [(120, 35), (80, 24), (60, 20)])
async def test_every_sort_is_shown_in_the_header_or_the_count_line(fake_app, size) -> None:
    app = fake_app(FakeClient(sample_keys(5)))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        tbl = table(app)
        seen = set()
        for _ in range(5):
            header = tbl.render_line(0).text
            column = tbl.sort_column
            seen.add(column)
            title = (
                next(c.title for c, _w in tbl.shown_columns if c.key == column)
                if any(c.key == column for c, _w in tbl.shown_columns)
                else None
            )
            arrow = "▼" if tbl.sort_descending else "▲"
            in_header = (title is not None and f"{title} {arrow}" in header) or (
                f"by {column.replace('_', ' ')} {arrow}" in header
                or f"Name · {column.replace('_', ' ')} {arrow}" in header
            )
            in_count = f"sorted by {column.replace('_', ' ')} {arrow}" in _count_line(app)
            assert in_header or in_count, (column, header, _count_line(app))
            await pilot.press("s")
            await wait_until(pilot, lambda c=column: tbl.sort_column != c)
        assert seen == {"created", "name", "last_used", "status", "expires"}


async def test_the_default_sort_on_a_hidden_column_is_named_at_60_columns(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(5)))
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        assert all(c.key != "created" for c, _w in tbl.shown_columns)
        assert "Name · created ▼" in tbl.render_line(0).text
        assert "sorted by" not in _count_line(app)  # said once, where it fits


async def test_shift_s_and_a_second_click_on_the_header_reverse_the_sort(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(5)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        newest_first = [k.id for k in tbl.rows]
        assert tbl.sort_column == "created" and tbl.sort_descending
        await pilot.press("S")
        await wait_until(pilot, lambda: not tbl.sort_descending)
        assert [k.id for k in tbl.rows] == newest_first[::-1]
        await pilot.press("S")
        await wait_until(pilot, lambda: tbl.sort_descending)
        assert [k.id for k in tbl.rows] == newest_first

        # Click the Name header: sorted A to Z; click it again: Z to A.
        x = 1 + sum(
            w + 2
            for c, w in tbl.shown_columns[: [c.key for c, _ in tbl.shown_columns].index("name")]
        )
        await pilot.click(tbl, offset=(x + 1, 0))
        await wait_until(pilot, lambda: tbl.sort_column == "name")
        a_to_z = [k.name.casefold() for k in tbl.rows]
        assert a_to_z == sorted(a_to_z) and "Name ▲" in tbl.render_line(0).text
        await pilot.click(tbl, offset=(x + 1, 0))
        await wait_until(pilot, lambda: tbl.sort_descending)
        assert [k.name.casefold() for k in tbl.rows] == a_to_z[::-1]
        assert "Name ▼" in tbl.render_line(0).text


async def test_help_lists_how_to_reverse_the_sort(fake_app) -> None:
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        bindings = {b.key: b for _n, b, _e, _t in app.screen.active_bindings.values()}
        assert (
            "S" in bindings
            and "revers" in (bindings["S"].tooltip + bindings["S"].description).lower()
        )


_PAGE = ["name", "key", "created", "last_used", "status"]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((120, 35), [*_PAGE, "expires", "scopes"]),
        ((100, 30), _PAGE),
        ((80, 24), _PAGE),
        ((60, 20), ["name", "key", "status"]),
    ],
    ids=lambda v: f"{v[0]}x{v[1]}" if isinstance(v, tuple) else None,
)
async def test_the_page_columns_show_at_each_width(fake_app, size, expected) -> None:
    """The five columns of the page from 80 columns up; expiry and scopes as width allows (issue 20)."""
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        tbl = table(app)
        keys = [column.key for column, _w in tbl.shown_columns]
        assert all(key in keys for key in expected), (size, keys)
        if size[0] >= 80:
            assert keys[: len(_PAGE)] == _PAGE
        header = tbl.render_line(0).text
        for column, _w in tbl.shown_columns:
            assert column.title in header


@pytest.mark.parametrize("size", [(160, 40), (120, 35), (100, 30), (80, 24), (60, 20)])
async def test_the_name_takes_the_width_left_over(fake_app, size) -> None:
    app = fake_app(FakeClient(_keys()))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        tbl = table(app)
        layout = tbl.shown_columns
        used = 1 + sum(width for _c, width in layout) + 2 * (len(layout) - 1)
        assert used == tbl.scrollable_content_region.width, layout
        name = dict((c.key, w) for c, w in layout)["name"]
        assert name >= 18, layout  # "Nightly Batch Scr…" at the least
