"""The roll rules both stores apply: when a key may be rolled, and the new key's expiry."""

from __future__ import annotations

from ticos_tui.service.store.times import format_ts, parse_ts


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
