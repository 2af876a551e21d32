"""Rows to the contract's shapes: an API-key lookup's record and the ApiKey JSON object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class KeyAuth:
    """What an API-key lookup by hash found (the hot path of verify and of key-authenticated calls)."""

    id: str
    account_id: str
    scopes: list[str]
    expires_at: str | None
    revoked_at: str | None
    deleted: bool


def key_json(
    row: Sequence[Any], scopes: list[str], now: str, used: dict[str, str] | None = None
) -> dict[str, Any]:
    """The ApiKey object of a row (id, name, snippet, -, created, last used, expires, revoked,
    replaces, rolled to).

    `scopes` is the row's scopes already parsed; `used`: last uses not written yet, by key id.
    """
    key_id, name, snip, _, created_at, last_used_at, expires_at, revoked_at, replaces, rolled = row
    if used:
        pending = used.get(key_id)
        if pending is not None and (last_used_at is None or pending > last_used_at):
            last_used_at = pending
    if revoked_at is not None:
        status = "revoked"
    elif expires_at is not None and expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return {
        "id": key_id,
        "name": name,
        "snippet": snip,
        "status": status,
        "scopes": scopes,
        "created_at": created_at,
        "last_used_at": last_used_at,
        "expires_at": expires_at,
        "revoked_at": revoked_at,
        "replaces": replaces,
        "replaced_by": rolled,
    }
