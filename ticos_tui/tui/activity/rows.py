"""The Activity table's columns fitted to a width, an event's cells, and what the filter matches.

Every word comes from `ticos_tui.core.audit_words` (the CLI's `audit` reads the same) and reaches the
screen through `ticos_tui.core.sanitize.literal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from ticos_tui.core.audit_words import actor_text, key_text
from ticos_tui.core.models import AuditEvent
from ticos_tui.core.present import relative_width
from ticos_tui.core.sanitize import literal
from ticos_tui.core.timefmt import relative

ACTION_WIDTH = 15  # "session.created", the longest action
PADDING = 1  # the table's cell padding, each side
MIN_FLEX = 10  # a shared column narrower than this is dropped (the detail line has it all)
_FLEX = (
    (("key", "Key", 0.42), ("by", "By", 0.36), ("from", "From", 0.22)),
    (("key", "Key", 0.55), ("by", "By", 0.45)),
    (("key", "Key", 1.0),),
)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int


def fit_columns(width: int) -> list[Column]:
    """The columns for a table `width` cells wide: when and action always, then as many of
    key, by and from as leave each at least `MIN_FLEX` cells."""
    fixed = [Column("when", "When", relative_width()), Column("action", "Action", ACTION_WIDTH)]
    used = sum(c.width for c in fixed)
    for flex in _FLEX:
        room = width - used - 2 * PADDING * (len(fixed) + len(flex))
        widths = [int(room * share) for _key, _title, share in flex]
        if min(widths) >= MIN_FLEX or len(flex) == 1:
            widths[0] += room - sum(widths)  # what rounding left goes to the key
            shared = [
                Column(key, title, max(w, 1))
                for (key, title, _share), w in zip(flex, widths, strict=True)
            ]
            return [*fixed, *shared]
    raise AssertionError("unreachable: the last choice always fits")


def _cell(text: object, style: str = "") -> Text:
    cell = literal(text, style)
    cell.no_wrap, cell.overflow = True, "ellipsis"
    return cell


def cells(event: AuditEvent, columns: list[Column], now: datetime) -> list[Text]:
    """The event's cells for `columns`, in their order."""
    words = {
        "when": lambda: _cell(relative(event.at, now), "dim"),
        "action": lambda: _cell(event.action, "bold"),
        "key": lambda: _cell(key_text(event)),
        "by": lambda: _cell(actor_text(event)),
        "from": lambda: _cell(event.client or "this machine", "dim"),
    }
    return [words[column.key]() for column in columns]


def matches(event: AuditEvent, text: str) -> bool:
    """Whether the filter `text` (any case) is in the event's key name, key id or action."""
    if not text:
        return True
    needle = text.casefold()
    return any(
        needle in value.casefold()
        for value in (event.key_name, event.key_id, event.action)
        if value is not None
    )
