"""The contract's input rules, checked before a request so the user learns at once what to fix."""

from __future__ import annotations

import re

NAME_MAX = 100
# Control characters, line/paragraph separators, bidi controls, lone surrogates: the
# contract forbids them in names. The service and the dialogs share this one rule.
FORBIDDEN_IN_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid key name, or None when it is (rules of API.md, after trimming)."""
    trimmed = name.strip()
    if not trimmed:
        return "Enter a name, e.g. “Nightly Batch Script”."
    if len(trimmed) > NAME_MAX:
        return f"The name is {len(trimmed)} characters long; the limit is {NAME_MAX}."
    bad = FORBIDDEN_IN_NAME.search(trimmed)
    if bad:
        return f"The name contains a control or text-direction character (U+{ord(bad.group()):04X}); remove it."
    return None
