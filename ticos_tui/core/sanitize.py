"""The one path by which user or server text reaches a screen: control characters and invisible
characters made visible, markup inert; and the one rule for which characters a name may hold."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Character-class parts (for `[...]`), shared with the name rule in validation.py.
# Control characters: C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides and
# isolates, lone surrogates. They rewrite a terminal or reorder text: never valid in a name.
CONTROL_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt, Unicode 15.1): soft
# hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, zero-width characters
# and direction marks, word joiner and invisible operators, variation selectors, tags, ...
# They draw nothing, so "prod" and "prod\u00ad" look alike: not in a name, and shown as <U+...>.
DEFAULT_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Draws a blank cell though it is not ignorable: fine beside characters that draw, not alone.
BLANK_CHARS = "\u2800"
ZWJ, VS15, VS16 = "\u200d", "\ufe0e", "\ufe0f"  # allowed inside an emoji sequence only

_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
_IGNORABLE = re.compile(f"[{DEFAULT_IGNORABLE}]")
_CANDIDATES = re.compile(f"[{CONTROL_CHARS}{DEFAULT_IGNORABLE}{BLANK_CHARS}]")
_KEYCAP_BASES = frozenset("#*0123456789")


def _emoji(char: str) -> bool:
    """Whether `char` can be part of an emoji sequence (a pictograph or a skin-tone modifier)."""
    return unicodedata.category(char) == "So" or 0x1F3FB <= ord(char) <= 0x1F3FF


def _hidden_at(text: str, index: int) -> bool:
    """Whether `text[index]` is a character the reader cannot see (a control character, or one
    of Unicode's default-ignorable characters outside an emoji sequence)."""
    char = text[index]
    if _CONTROL.match(char):
        return True
    if not _IGNORABLE.match(char):
        return False
    before = text[index - 1] if index else ""
    if char in (VS15, VS16):  # text or emoji presentation of the character before it
        return not before or not (_emoji(before) or before in _KEYCAP_BASES)
    if char == ZWJ:  # joins two emoji, each maybe with its presentation selector
        if before in (VS15, VS16) and index > 1:
            before = text[index - 2]
        after = text[index + 1] if index + 1 < len(text) else ""
        return not (before and after and _emoji(before) and _emoji(after))
    return True


def hidden_char(text: str) -> str | None:
    """The first character of `text` a reader cannot see (see `_hidden_at`), or None."""
    if not _CANDIDATES.search(text):
        return None
    return next((c for i, c in enumerate(text) if _hidden_at(text, i)), None)


def _draws(char: str) -> bool:
    return not (
        char.isspace()
        or unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cc")
        or _CANDIDATES.match(char)
    )


def draws_something(text: str) -> bool:
    """Whether `text` has a character that draws something (not only spaces, U+2800, fillers)."""
    return any(_draws(c) for c in text)


def _visible_form(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: object) -> str:
    """`text` as a plain string with every control, direction-changing or invisible character
    shown as a symbol or `<U+...>`; a text that would look blank shows its blank characters too.

    Safe to print to a terminal (no escape sequence survives). The CLI prints this;
    Textual widgets must use `literal`, which also keeps markup from being parsed.
    """
    text = str(text)
    if not _CANDIDATES.search(text):
        return text
    blank = not draws_something(text)
    return "".join(
        _visible_form(c) if _hidden_at(text, i) or (blank and c in BLANK_CHARS) else c
        for i, c in enumerate(text)
    )


def literal(text: object, style: str = "") -> Text:
    """`text` as a Rich `Text` that Textual shows exactly as typed: no markup, no escapes, no actions."""
    from rich.text import Text

    return Text(visible(text), style=style, no_wrap=False)
