"""The keys table's columns: what each shows and sorts by, and which fit a width (pure functions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len, set_cell_size

from ticos_tui.core.models import ApiKey
from ticos_tui.core.present import (
    SCOPES_MIN_WIDTH,
    expired_width,
    expires_text,
    lineage_marker,
    relative_width,
    scopes_summary,
)
from ticos_tui.core.sanitize import visible
from ticos_tui.core.timefmt import relative

_STATUS_ORDER = {"active": 0, "expired": 1, "revoked": 2}
_FAR_PAST = datetime.min.replace(year=1)
ARROW = 2  # " ▼" after a sorted column's title


@dataclass(frozen=True, slots=True)
class Column:
    """One column: how to read a cell at a width, how to sort by it, and how readily it is dropped.

    `width` is the least that shows every text the column makes (the title and its sort arrow
    included); `grow` is what it may take when the name is comfortable (see `fit_columns`).
    """

    key: str
    title: str
    width: int
    text: Callable[[ApiKey, datetime, int], str]
    sort_key: Callable[[ApiKey], Any]
    sort_reverse: bool = False  # its first sort is descending (newest, most recent first)
    drop_order: int = 0  # 0: never dropped; higher: dropped first when the table is narrow
    grow: int = 0


def _name(key: ApiKey) -> str:
    """The name, then its roll lineage when it has one: `Deploy · rolled → key_AbCd…`."""
    marker = lineage_marker(key)
    return f"{visible(key.name)} · {marker}" if marker else visible(key.name)


def _time_width(title: str) -> int:
    return max(relative_width(), len(title) + ARROW)


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 16, lambda k, now, w: _name(k), lambda k: k.name.casefold()),
    Column("key", "Key", 12, lambda k, now, w: k.snippet, lambda k: k.snippet),
    Column(
        "created",
        "Created",
        _time_width("Created"),
        lambda k, now, w: relative(k.created_at, now),
        lambda k: (k.created_at, k.id),
        sort_reverse=True,
        drop_order=2,  # below 80 columns only: the details line says when
    ),
    Column(
        "last_used",
        "Last Used",
        _time_width("Last Used"),
        lambda k, now, w: relative(k.last_used_at, now),
        lambda k: k.last_used_at or _FAR_PAST.replace(tzinfo=k.created_at.tzinfo),
        sort_reverse=True,
        drop_order=1,
    ),
    Column(
        "status",
        "Status",
        len("Status") + ARROW,  # "expired" is shorter than "Status ▲"
        lambda k, now, w: k.status,
        lambda k: (_STATUS_ORDER.get(k.status, 9), k.name.casefold()),
    ),
    Column(
        "expires",
        "Expires",
        # "in 59 minutes" fits; "expired 59 minutes ago" when there is room, else "expired".
        max(len("in ") + relative_width() - len(" ago"), len("Expires") + ARROW),
        lambda k, now, w: expires_text(k, now, width=w),
        lambda k: (k.expires_at is None, k.expires_at or k.created_at),
        drop_order=3,
        grow=expired_width(),
    ),
    Column(
        "scopes",
        "Scopes",
        SCOPES_MIN_WIDTH,
        lambda k, now, w: scopes_summary(k, width=w),
        lambda k: k.scopes,
        drop_order=4,
        grow=32,  # "api_keys:read+write, usage:read"
    ),
)
SORTABLE = ("created", "name", "last_used", "status", "expires")
GAP = 2  # cells between two columns
MIN_NAME = 18
"""Narrower, a column goes (scopes, then expiry; below 80 columns created, then last used)."""
_GROW_ORDER = ("scopes", "expires")  # who gets width past a comfortable name, first to last
_COMFORTABLE_NAME = 32  # wider than this, spare width first lets scopes and expiry read in full


def fit_columns(width: int) -> list[tuple[Column, int]]:
    """The columns that fit `width` cells, with their widths; the name takes what is left over.

    Columns are dropped (highest `drop_order` first) until the name has `MIN_NAME` cells;
    the spare width then goes to the name up to `_COMFORTABLE_NAME`, then to the columns
    that `grow`, then to the name again.
    """
    columns = list(COLUMNS)
    while True:
        fixed = sum(c.width for c in columns if c.key != "name") + GAP * (len(columns) - 1)
        droppable = [c for c in columns if c.drop_order]
        if width - fixed >= MIN_NAME or not droppable:
            break
        columns.remove(max(droppable, key=lambda c: c.drop_order))
    widths = {c.key: c.width for c in columns}
    spare = max(width - fixed, 4)
    widths["name"] = min(spare, _COMFORTABLE_NAME)
    spare -= widths["name"]
    for column in sorted(columns, key=lambda c: _GROW_ORDER.index(c.key) if c.grow else 0):
        if column.grow and spare > 0:
            extra = min(spare, max(column.grow - column.width, 0))
            widths[column.key] += extra
            spare -= extra
    widths["name"] += max(spare, 0)
    return [(c, widths[c.key]) for c in columns]


def name_title(sort_label: str, sorted_shown: bool, width: int) -> str:
    """ "Name", or when the sorted column is hidden "Name · created ▼" (or "by created ▼")."""
    if not sorted_shown:
        for title in (f"Name · {sort_label}", f"by {sort_label}"):
            if cell_len(title) <= width:
                return title
    return "Name"


def header_text(
    layout: list[tuple[Column, int]], name_title: str, sort_column: str, descending: bool
) -> str:
    """The header line: each shown column's title at its width, the sorted one with its arrow."""
    cells = []
    for column, col_width in layout:
        title = name_title if column.key == "name" else column.title
        if column.key == sort_column and len(title) + ARROW <= col_width:
            title += " ▼" if descending else " ▲"
        cells.append(set_cell_size(title, col_width))
    return " " + (" " * GAP).join(cells)


def row_cells(
    layout: list[tuple[Column, int]], key: ApiKey, now: datetime
) -> list[tuple[str, str]]:
    """`key`'s cell in each shown column, fitted to its width (cut with "…"), and how it is
    coloured: "name", "status" (by the key's status) or "muted"."""
    cells = []
    for column, col_width in layout:
        text = visible(
            column.text(key, now, col_width)
        )  # not just names: a server sends every cell
        if cell_len(text) > col_width:
            text = set_cell_size(text, col_width - 1) + "…"
        role = column.key if column.key in ("name", "status") else "muted"
        cells.append((set_cell_size(text, col_width), role))
    return cells
