"""The contract's input rules, checked before a request so the user learns at once what to fix."""

from __future__ import annotations

import re

from ticos_tui.core.sanitize import CONTROL_CHARS, draws_something, hidden_char

NAME_MAX = 100
# The contract forbids control characters in names (named in words below), and invisible ones
# (sanitize.hidden_char: what `visible` shows). The service and the dialogs share this rule.
FORBIDDEN_IN_NAME = re.compile(f"[{CONTROL_CHARS}]")


_CHARACTER_NAMES = {
    "\t": "a tab character",
    "\n": "a line break",
    "\r": "a line break (carriage return)",
    "\x1b": "an escape character",
    "\x00": "a null character",
    "\x7f": "a delete character",
    "\u2028": "a line separator",
    "\u2029": "a paragraph separator",
}


def character_name(char: str) -> str:
    """A forbidden character as a person knows it: "a tab character", else its code point."""
    if char in _CHARACTER_NAMES:
        return _CHARACTER_NAMES[char]
    return f"a control or text-direction character (U+{ord(char):04X})"


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid key name, or None when it is (rules of API.md, after trimming)."""
    trimmed = name.strip()
    if not trimmed:
        return "Enter a name, e.g. “Nightly Batch Script”."
    if len(trimmed) > NAME_MAX:
        return f"The name is {len(trimmed)} characters long; the limit is {NAME_MAX}."
    bad = FORBIDDEN_IN_NAME.search(trimmed)
    if bad:
        return f"The name contains {character_name(bad.group())}; remove it."
    hidden = hidden_char(trimmed)
    if hidden is not None:
        return f"The name contains an invisible character (U+{ord(hidden):04X}); remove it."
    if not draws_something(trimmed):
        return (
            "The name draws nothing on screen (only blank or filler characters); "
            "use at least one visible character."
        )
    return None
