"""The one path by which user or server text reaches a screen: control characters made visible, markup inert."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Character-class parts (for `[...]`), shared with the name rule in validation.py.
# Control characters: C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides and
# isolates, lone surrogates. They rewrite a terminal or reorder text: never valid in a name.
CONTROL_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# Zero-width characters and direction marks: valid in a name (real scripts use them), but
# shown, since they make two names look alike.
ZERO_WIDTH_CHARS = "\u200b-\u200f\ufeff"
_UNSAFE = re.compile(f"[{CONTROL_CHARS}{ZERO_WIDTH_CHARS}]")


def _visible_form(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: object) -> str:
    """`text` as a plain string with every control or direction-changing character shown as a symbol.

    Safe to print to a terminal (no escape sequence survives). The CLI prints this;
    Textual widgets must use `literal`, which also keeps markup from being parsed.
    """
    return _UNSAFE.sub(_visible_form, str(text))


def literal(text: object, style: str = "") -> Text:
    """`text` as a Rich `Text` that Textual shows exactly as typed: no markup, no escapes, no actions."""
    from rich.text import Text

    return Text(visible(text), style=style, no_wrap=False)
