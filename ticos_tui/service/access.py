"""No escalation: the one rule for whether a credential may make or control a key with given
scopes, and how long a key it makes may live."""

from __future__ import annotations

from collections.abc import Sequence

from ticos_tui.service.auth import Principal
from ticos_tui.service.inputs import ApiProblem


def missing_scopes(held: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The scopes of `wanted` that `held` does not cover (`*` covers every scope), in order."""
    if "*" in held:
        return []
    return [scope for scope in wanted if scope not in held]


def require_covered(principal: Principal, scopes: Sequence[str], action: str) -> None:
    """403 unless `principal` may `action` a key with `scopes`: a key's scopes must cover them.

    A session token (no key id) holds every scope of its account, so it may do all.
    """
    if principal.key_id is None:
        return
    missing = missing_scopes(principal.scopes, scopes)
    if missing:
        raise ApiProblem(
            403,
            f"this API key cannot {action} a key with scopes it does not hold: "
            + ", ".join(missing),
        )


def latest_end(principal: Principal) -> str | None:
    """The latest expiry a key made or rolled by `principal` may have; None: no bound.

    A session token and a key without expiry are unbounded; an expiring key bounds every key it
    makes by its own expiry (v1.2: no escalation covers lifetime).
    """
    return principal.expires_at if principal.key_id is not None else None


def bounded_expiry(principal: Principal, expires_at: str | None, action: str) -> str | None:
    """The expiry of a key `principal` asks to `action` with `expires_at` (None: not asked).

    Not asked: the new key expires with its creator (never, if the creator is unbounded).
    Asked for later than the creator's end: 403.
    """
    end = latest_end(principal)
    if end is None:
        return expires_at
    if expires_at is None:
        return end
    if expires_at > end:  # both in the contract's fixed `YYYY-MM-DDTHH:MM:SSZ` form
        raise ApiProblem(
            403,
            f"this API key expires at {end}; it cannot {action} a key that expires later "
            f"({expires_at})",
        )
    return expires_at
