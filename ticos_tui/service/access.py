"""No escalation: the one rule for whether a credential may make or control a key with given scopes."""

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
