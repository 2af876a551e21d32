"""Who is calling: bearer credentials looked up by hash on every request, and their scopes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ticos_tui.core.keyformat import (
    KEY_PREFIX,
    TOKEN_PREFIX,
    is_well_formed_key,
    is_well_formed_token,
    secret_hash,
)
from ticos_tui.service.inputs import ApiProblem
from ticos_tui.service.store.protocol import FailureLimiter, Store
from ticos_tui.service.store.rows import KeyAuth

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: str
    key_id: str | None  # None: a session token (all scopes)
    scopes: tuple[str, ...]
    token_hash: str | None = None  # the session token's hash (so it can be ended)
    expires_at: str | None = None  # an API key's expiry (no escalation covers lifetime)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def key_problem(key: KeyAuth | None, now: str) -> str | None:
    """Why a looked-up key cannot be used (`unknown`, `revoked`, `expired`), or None if it can."""
    if key is None:
        return "unknown"
    if key.revoked_at is not None or key.deleted:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return None


_DETAILS = {
    "missing": "missing credential: send Authorization: Bearer <session token or API key>",
    "malformed": "malformed credential: not a well-formed session token or API key",
    "unknown": "unknown credential",
    "revoked": "revoked credential",
    "expired": "expired credential",
}


async def authenticate(
    request: Request,
    store: Store,
    limiter: FailureLimiter,
    scope: str,
    also: str | None = None,
) -> Principal:
    """The caller behind the Authorization header, allowed `scope` (or `also`); else 401/403/429.

    The throttle applies only to failed attempts: a valid credential is served even from a
    client whose other requests failed (keys are far too long to guess; the throttle is there
    so that a failing client cannot go on trying lists of leaked or guessed credentials).
    """
    client = client_of(request)
    header = request.headers.get("authorization")
    principal: Principal | None = None
    key: KeyAuth | None = None
    reason = "missing"
    if header and header.strip():
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        reason = "malformed"
        if scheme.lower() == "bearer":
            # Secrets are only ever compared through an indexed lookup of their SHA-256, never
            # with `==` on the secret itself.
            if credential.startswith(KEY_PREFIX) and is_well_formed_key(credential):
                key = await store.key_by_hash(secret_hash(credential))
                problem = key_problem(key, store.now())
                if problem is None and key is not None:
                    store.record_use(key.id)
                    principal = Principal(
                        key.account_id, key.id, tuple(key.scopes), expires_at=key.expires_at
                    )
                else:
                    reason = problem or "unknown"
            elif credential.startswith(TOKEN_PREFIX) and is_well_formed_token(credential):
                token_hash = secret_hash(credential)
                account_id = await store.account_for_token_hash(token_hash)
                if account_id is not None:
                    principal = Principal(account_id, None, ("*",), token_hash)
                else:
                    reason = "unknown"
    if principal is None:
        if reason == "missing":
            await limiter.check(client)  # nothing to count, but a throttled client stays so
        else:  # 429 past the limit, checked and counted at once (its event at the limit)
            owner = (key.account_id, key.id) if key is not None else (None, None)
            await limiter.failed(client, *owner)
        raise ApiProblem(401, _DETAILS[reason], _CHALLENGE)
    granted = principal.scopes
    if "*" not in granted and scope not in granted and (also is None or also not in granted):
        raise ApiProblem(403, f"this API key lacks the '{scope}' scope")
    return principal
