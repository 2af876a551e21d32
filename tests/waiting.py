"""What the suite's waits say when they give up: what they waited for, in the condition's words."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def described(condition: Callable[..., object]) -> str:
    """What a condition checks, in its own words: its source (a lambda's line), else its name."""
    try:
        return " ".join(inspect.getsource(condition).split())
    except (OSError, TypeError):
        return str(getattr(condition, "__qualname__", repr(condition)))
