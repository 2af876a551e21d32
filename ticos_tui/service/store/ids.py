"""The ids a store gives new rows: a prefix and 20 random base-62 characters."""

from __future__ import annotations

import secrets

from ticos_tui.core.keyformat import BASE62


def new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(BASE62) for _ in range(20))
