"""The control-character and invisible-character rules: what `visible` shows, and what a name may
not hold, from one definition (API.md v1.2 names rule)."""

from __future__ import annotations

import pytest

from ticos_tui.core.names import FORBIDDEN_IN_NAME, name_problem
from ticos_tui.core.sanitize import visible
from ticos_tui.service.inputs import ApiProblem, validate_name


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
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1), copied here
# by hand from the published table.
DEFAULT_IGNORABLE = ranges(
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
ALL = range(0x110000)


def test_visible_shows_control_and_invisible_characters_only() -> None:
    shown = {chr(code) for code in ALL if visible(f"a{chr(code)}a") != f"a{chr(code)}a"}
    assert shown == CONTROL | DEFAULT_IGNORABLE


def test_a_name_may_hold_no_control_and_no_invisible_character() -> None:
    forbidden = {chr(code) for code in ALL if name_problem(f"a{chr(code)}a") is not None}
    assert forbidden == CONTROL | DEFAULT_IGNORABLE
    assert {chr(c) for c in range(0x10000) if FORBIDDEN_IN_NAME.search(chr(c))} == CONTROL
    assert "U+202E" in (name_problem("a\u202eb") or "")


# The attack's names: each looks blank, or like another name ("prod" vs "prod\u00ad").
INVISIBLE = ["\u3164", "\u115f", "\u2800", "\u2800 \u2800", "prod\u00ad", "a\u034fb",
             "a\U000e0041b", "a\u061cb", "zero\u200bwidth", "\u3164\u3164 x"]  # fmt: skip
EMOJI = ["👨\u200d👩\u200d👧", "❤\ufe0f", "☺\ufe0e", "🏳\ufe0f\u200d🌈", "👍🏽", "#\ufe0f\u20e3",
         "🧑🏽\u200d💻 deploy", "a\u2800b"]  # fmt: skip


@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_names_are_refused_and_shown_escaped(name: str) -> None:
    problem = name_problem(name) or ""
    with pytest.raises(ApiProblem) as refused:
        validate_name(name)
    assert refused.value.status == 422 and refused.value.detail.startswith("name: ")
    shown = visible(name)
    assert not [c for c in name if c in DEFAULT_IGNORABLE | {"\u2800"} and c in shown]
    if name.strip("\u2800 ") == "":
        assert "draws nothing" in problem and "visible character" in refused.value.detail
    else:
        code = next(f"U+{ord(c):04X}" for c in name if f"<U+{ord(c):04X}>" in shown)
        assert code in problem and code in refused.value.detail


@pytest.mark.parametrize("name", EMOJI)
def test_joiners_and_variation_selectors_inside_emoji_are_allowed_and_shown_as_is(
    name: str,
) -> None:
    assert name_problem(name) is None
    assert validate_name(name) == name
    assert visible(name) == name


@pytest.mark.parametrize("text", ["a\u200db", "\u200d👩", "x\ufe0f", "👩\u200d", "\ufe0f"])
def test_a_joiner_or_selector_outside_an_emoji_sequence_is_hidden_text(text: str) -> None:
    assert "<U+" in visible(text)
    assert name_problem(text + "x") is not None
