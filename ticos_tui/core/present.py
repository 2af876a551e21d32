"""How an API key reads to a person: its scopes, expiry and times, and its name in messages.

The CLI, the TUI and the review all word a key through these functions, so the table,
the details and the review never disagree. Kept light: no Textual, no httpx (the CLI
imports it for `--help`); Rich's cell widths load only when a width is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from ticos_tui.core.models import ApiKey
from ticos_tui.core.sanitize import visible
from ticos_tui.core.timefmt import duration, exact, relative, spans

__all__ = [
    "FULL_ACCESS",
    "NOT_APPLICABLE",
    "SCOPES_MIN_WIDTH",
    "clip",
    "created_text",
    "describe",
    "expired_width",
    "expires_text",
    "is_expired",
    "key_fields",
    "last_used_text",
    "lifetime_text",
    "lineage_marker",
    "lineage_text",
    "quoted",
    "relative_width",
    "scopes_summary",
]

FULL_ACCESS = "full access"
NOT_APPLICABLE = "—"


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(visible(text))


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` terminal cells, ending in "…" when cut (wide characters count 2)."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    # set_cell_size pads a wide character cut in half with a space: drop it before the "…".
    return set_cell_size(text, max(width - 1, 0)).rstrip(" ") + "…"


def quoted(name: str) -> str:
    """A key or account name as it is quoted in a sentence: “Nightly Batch Script”."""
    return f"“{name}”"


def describe(key: ApiKey) -> str:
    """A key in a message: “name” (id, snippet), enough to tell it from its namesakes."""
    return f"{quoted(key.name)} ({key.id}, {key.snippet})"


def _merged(scopes: Sequence[str]) -> str:
    """Scopes of one resource written once: "api_keys:read+write, usage:read"."""
    groups: dict[tuple[str, bool], list[str]] = {}
    for scope in scopes:
        resource, colon, action = scope.rpartition(":")
        if colon:
            groups.setdefault((resource, True), []).append(action)
        else:
            groups.setdefault((scope, False), [])
    return ", ".join(
        f"{resource}:{'+'.join(actions)}" if has_actions else resource
        for (resource, has_actions), actions in groups.items()
    )


def scopes_summary(key: ApiKey, width: int | None = None) -> str:
    """What `key` may do, as one phrase: "full access", "api_keys:read", "api_keys:read, usage:read".

    Given a `width` in cells, a list too long for it is shortened: first each
    resource is written once ("api_keys:read+write, usage:read"), then only the
    count is given ("3 scopes", "1 scope"), so a column never cuts a scope in half.
    """
    scopes = key.scopes
    if key.full_access:
        return FULL_ACCESS
    if not scopes:
        return "no scopes"
    for text in (", ".join(scopes), _merged(scopes)):
        if width is None or _cells(text) <= width:
            return text
    return f"{len(scopes)} scope{'s' if len(scopes) != 1 else ''}"


SCOPES_MIN_WIDTH = len(FULL_ACCESS)  # "full access", "no scopes", "12 scopes" all fit


def is_expired(key: ApiKey, now: datetime) -> bool:
    """Expired by the server's word, or by the clock before the server has said so."""
    return key.status == "expired" or (key.expires_at is not None and key.expires_at <= now)


def expires_text(key: ApiKey, now: datetime, width: int | None = None) -> str:
    """When `key` stops working: "in 5 days", "never", "expired 3 days ago", or "—" when revoked.

    A revoked key no longer expires (it is already dead), hence the dash. Given a
    `width` too short for "expired 3 days ago", an expired key reads "expired".
    """
    if key.status == "revoked":
        return NOT_APPLICABLE
    if is_expired(key, now):
        if key.expires_at is None:
            return "expired"
        text = f"expired {relative(key.expires_at, now)}"
        return text if width is None or _cells(text) <= width else "expired"
    return relative(key.expires_at, now)


def lifetime_text(key: ApiKey) -> str | None:
    """How long `key` works from when it was made ("30 days", as the table's "in 30 days"); None: forever."""
    if key.expires_at is None:
        return None
    return duration(key.expires_at - key.created_at) or "under a minute"


@cache
def relative_width() -> int:
    """The widest words `relative` makes ("59 minutes ago"), in cells: a time column this wide never cuts one."""
    words = ["just now", "in a moment", "never"]
    for span in spans():
        words += [f"in {span}", f"{span} ago"]
    return max(_cells(word) for word in words)


@cache
def expired_width() -> int:
    """The widest "expired 59 minutes ago" `expires_text` makes; narrower, it says "expired"."""
    return max(_cells(f"expired {span} ago") for span in spans())


def created_text(key: ApiKey, now: datetime) -> str:
    """How long ago `key` was made: "3 days ago"."""
    return relative(key.created_at, now)


def last_used_text(key: ApiKey, now: datetime) -> str:
    """How long ago `key` was last used: "2 hours ago", or "never"."""
    return relative(key.last_used_at, now)


def _when(moment: datetime | None, now: datetime) -> str:
    return f"{relative(moment, now)} ({exact(moment)})" if moment else "never"


def key_fields(key: ApiKey, now: datetime) -> list[tuple[str, str]]:
    """Every field of `key` as (label, words), for a details view: `Last used: 2 hours ago (…)`."""
    expires = expires_text(key, now)
    if key.expires_at is not None and key.status != "revoked":
        expires = f"{expires} ({exact(key.expires_at)})"
    fields = [
        ("Name", visible(key.name)),
        ("ID", key.id),
        ("Key", key.snippet),
        ("Status", key.status),
        ("Scopes", scopes_summary(key)),
        ("Created", _when(key.created_at, now)),
        ("Last used", _when(key.last_used_at, now)),
        ("Expires", expires),
    ]
    if key.revoked_at is not None:
        fields.append(("Revoked", _when(key.revoked_at, now)))
    lineage = lineage_text(key)
    if lineage:
        fields.append(("Lineage", lineage))
    return fields


def short_id(key_id: str) -> str:
    """A key id cut to what tells it apart at a glance in a list: `key_AbCd…`."""
    return key_id if len(key_id) <= 9 else key_id[:8] + "…"


def lineage_marker(key: ApiKey) -> str:
    """The keys table's word on a key's roll lineage: `rolled → key_AbCd…`, `replaces key_…`.

    A key both rolled from one and into another is marked by its successor, the one to act on.
    """
    if key.replaced_by is not None:
        return f"rolled → {short_id(key.replaced_by)}"
    if key.replaces is not None:
        return f"replaces {short_id(key.replaces)}"
    return ""


def lineage_text(key: ApiKey) -> str:
    """A key's roll lineage: `replaces key_…`, `rolled → key_…`, both, or "" (v1.2 fields)."""
    parts = []
    if key.replaces is not None:
        parts.append(f"replaces {key.replaces}")
    if key.replaced_by is not None:
        parts.append(f"rolled → {key.replaced_by}")
    return " · ".join(parts)
