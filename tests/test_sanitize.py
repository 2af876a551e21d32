"""The control-character rules: what `visible` shows, and what a name may not hold, from one definition."""

from __future__ import annotations

from ticos_tui.core.names import FORBIDDEN_IN_NAME, name_problem
from ticos_tui.core.sanitize import visible


def ranges(*spans: tuple[int, int]) -> set[str]:
    return {chr(code) for first, last in spans for code in range(first, last + 1)}


# Written out independently of the module: C0, DEL and C1, line/paragraph separators,
# bidi embeddings/overrides and isolates, lone surrogates.
CONTROL = ranges(
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x2028, 0x2029),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
    (0xD800, 0xDFFF),
)
ZERO_WIDTH = ranges((0x200B, 0x200F), (0xFEFF, 0xFEFF))


def test_visible_shows_control_and_zero_width_characters_only() -> None:
    shown = {chr(code) for code in range(0x10000) if visible(chr(code)) != chr(code)}
    assert shown == CONTROL | ZERO_WIDTH


def test_a_name_may_hold_zero_width_characters_but_no_control_character() -> None:
    forbidden = {chr(code) for code in range(0x10000) if FORBIDDEN_IN_NAME.search(chr(code))}
    assert forbidden == CONTROL
    assert name_problem("a\u200db") is None
    assert "U+202E" in (name_problem("a\u202eb") or "")
