"""The `keys list` table: every word when piped, and fitted to the terminal's width on a terminal.

On a terminal, as in the TUI, the least needed columns go first when the width is short,
the name takes the spare width, and the scopes read as a whole summary
(`ticos_tui.core.present.scopes_summary`). Piped, nothing is cut: `| grep` finds whole names.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ticos_tui.core.models import ApiKey
from ticos_tui.core.present import clip, created_text, expires_text, last_used_text, scopes_summary
from ticos_tui.core.sanitize import visible

GAP = 2
NAME_MIN = 16  # the TUI's Name column; less, and another column goes first
SCOPES_MIN = 11  # "full access"


@dataclass(frozen=True, slots=True)
class _Column:
    title: str
    text: Callable[[ApiKey, datetime], str]
    drop_order: int = 0  # 0: never dropped; higher: dropped first when the terminal is narrow


_COLUMNS = (
    _Column("ID", lambda k, now: k.id),
    _Column("NAME", lambda k, now: visible(k.name)),
    _Column("KEY", lambda k, now: k.snippet, drop_order=4),
    _Column("STATUS", lambda k, now: k.status),
    _Column("SCOPES", lambda k, now: scopes_summary(k), drop_order=1),
    _Column("CREATED", created_text, drop_order=5),
    _Column("LAST USED", last_used_text, drop_order=2),
    _Column("EXPIRES", expires_text, drop_order=3),
)
_FLEXIBLE = ("NAME", "SCOPES")


def terminal_width() -> int | None:
    """The terminal's width in cells when stdout is a terminal, else None (no limit)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _lines(columns: Sequence[_Column], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, in terminal cells (wide characters count 2)."""
    table = [[c.title for c in columns], *rows]
    widths = [max(_cells(row[i]) for row in table) for i in range(len(columns))]
    return [
        (" " * GAP)
        .join(cell + " " * (widths[i] - _cells(cell)) for i, cell in enumerate(row))
        .rstrip()
        for row in table
    ]


def _natural(column: _Column, texts: Sequence[str]) -> int:
    return max([_cells(column.title), *(_cells(t) for t in texts)])


def key_table(keys: Sequence[ApiKey], now: datetime, width: int | None = None) -> list[str]:
    """The table of `keys` as lines; within `width` cells when given (else every word)."""
    texts = {c.title: [c.text(k, now) for k in keys] for c in _COLUMNS}
    if width is None:
        return _lines(_COLUMNS, list(zip(*(texts[c.title] for c in _COLUMNS), strict=True)))
    natural = {c.title: _natural(c, texts[c.title]) for c in _COLUMNS}
    columns = list(_COLUMNS)
    while True:
        fixed = sum(natural[c.title] for c in columns if c.title not in _FLEXIBLE)
        fixed += GAP * (len(columns) - 1)
        least = NAME_MIN + (SCOPES_MIN if any(c.title == "SCOPES" for c in columns) else 0)
        droppable = [c for c in columns if c.drop_order]
        if fixed + least <= width or not droppable:
            break
        columns.remove(max(droppable, key=lambda c: c.drop_order))
    spare = width - fixed
    if any(c.title == "SCOPES" for c in columns):
        # The name gets the spare width; the scopes what it leaves, summarised to fit.
        name_width = min(natural["NAME"], spare - SCOPES_MIN)
        scopes_width = min(natural["SCOPES"], spare - name_width)
        texts["SCOPES"] = [clip(scopes_summary(k, width=scopes_width), scopes_width) for k in keys]
        spare -= max(_cells(text) for text in ["SCOPES", *texts["SCOPES"]])
    texts["NAME"] = [clip(name, max(spare, 4)) for name in texts["NAME"]]
    return _lines(columns, list(zip(*(texts[c.title] for c in columns), strict=True)))
