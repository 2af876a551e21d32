"""The roll rules both stores apply: when a key may be rolled, and the new key's expiry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ticos_tui.core.keyformat import generate_key, secret_hash, snippet
from ticos_tui.service.store.errors import KeyConflict
from ticos_tui.service.store.ids import new_id
from ticos_tui.service.store.times import format_ts, parse_ts


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key to make: its name, its scopes and when it expires (None: never)."""

    name: str
    scopes: list[str]
    expires_at: str | None = None


def key_insert(mark: str) -> str:
    """The INSERT of a new key's row, `mark` the dialect's parameter marker (`?`, `%s`)."""
    return (
        "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, scopes, created_at,"  # noqa: S608 - markers only
        f" expires_at, replaces) VALUES ({', '.join([mark] * 9)})"
    )


def new_key_row(
    account_id: str, new: NewKey, now: str, replaces: str | None, scopes: object
) -> tuple[str, tuple[object, ...]]:
    """A new secret and the row `key_insert` writes for it (only its hash and snippet are
    kept); `scopes` as the dialect stores them (JSON text, or a text array)."""
    key = generate_key()
    row = (new_id("key_"), account_id, new.name, secret_hash(key), snippet(key), scopes, now,
           new.expires_at, replaces)  # fmt: skip
    return key, row


@dataclass(frozen=True, slots=True)
class Roll:
    """How to roll a key: how long the old one keeps working (0: it is revoked now), and the
    new key's expiry: `expires_at`, or with `keep_lifetime` the old key's lifetime from now,
    ending no later than `not_after` (the caller's own end: no escalation)."""

    grace_seconds: int = 0
    expires_at: str | None = None
    keep_lifetime: bool = True
    not_after: str | None = None


def rolled_key(
    old: Sequence[Any] | None, roll: Roll, ts: float, scopes_of: Callable[[Any], list[str]]
) -> NewKey | None:
    """The key a roll of `old` makes (`old`: name, scopes, created_at, expires_at, revoked_at,
    rolled_to, as both stores read it), or None when there is no such key.

    Raises KeyConflict: the key is revoked, expired or already rolled.
    """
    if old is None:
        return None
    name, scopes, created_at, old_expires, revoked_at, rolled_to = old
    refusal = roll_refusal(revoked_at, old_expires, rolled_to, format_ts(ts))
    if refusal is not None:
        raise KeyConflict(refusal)
    expiry = rolled_expiry(
        ts, created_at, old_expires, roll.expires_at, roll.keep_lifetime, roll.not_after
    )
    return NewKey(name, scopes_of(scopes), expiry)


def rolled_expiry(
    ts: float,
    created_at: str,
    old_expires: str | None,
    expires_at: str | None,
    keep: bool,
    not_after: str | None = None,
) -> str | None:
    """The expiry of a rolled key: `expires_at`, or with `keep` the old key's lifetime from `ts`
    but no later than `not_after` (the rolling key's own end, from scopes.latest_end)."""
    if not keep:
        return expires_at
    kept = (
        None
        if old_expires is None
        else format_ts(ts + parse_ts(old_expires) - parse_ts(created_at))
    )
    if not_after is None:
        return kept
    return not_after if kept is None else min(kept, not_after)


def roll_refusal(
    revoked_at: str | None, expires_at: str | None, rolled_to: str | None, now: str
) -> str | None:
    """Why a key cannot be rolled (the `KeyConflict` reason), or None when it can."""
    if rolled_to is not None:
        return "already rolled"
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return None
