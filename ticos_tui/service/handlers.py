"""The contract's handlers: module-level functions reading the store and limits from `app.state`.

`app.state` holds `store` (the `Store` protocol), `limiter` (failed authentications) and
`verify_limiter` (failed verifies); create_app in app.py sets them.
"""

from __future__ import annotations

import base64
import binascii
import re
from importlib import resources
from typing import Any, TypeVar

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from ticos_tui.core.keyformat import is_well_formed_key, secret_hash
from ticos_tui.service.access import bounded_expiry, latest_end, require_covered
from ticos_tui.service.audit import EventQuery
from ticos_tui.service.audit_api import KEY_ID, actor_of, query_filters
from ticos_tui.service.auth import Principal, authenticate, client_of, key_problem
from ticos_tui.service.inputs import (
    MAX_BODY,
    ApiProblem,
    check_content_length,
    invalid,
    parse_json_body,
    query_int,
    query_status,
    query_value,
    read_json,
    too_large,
    validate_expires_at,
    validate_grace,
    validate_name,
    validate_scopes,
)
from ticos_tui.service.render import JsonAnswer
from ticos_tui.service.store.errors import KeyConflict
from ticos_tui.service.store.protocol import Store
from ticos_tui.service.store.rolls import NewKey, Roll

_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
_CURSOR_BODY = re.compile(rb"s:([0-9]{1,18})", re.ASCII)
_NO_STORE = {"Cache-Control": "no-store"}
_OPENAPI: list[bytes] = []  # the document, read once

T = TypeVar("T")


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"s:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    bad = invalid("cursor", "malformed; pass back the next_cursor of a previous page")
    if not _CURSOR.fullmatch(cursor):
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise bad from None
    match = _CURSOR_BODY.fullmatch(raw)
    if match is None:
        raise bad
    return int(match.group(1))


def roll_conflict(reason: str) -> ApiProblem:
    """409 for a key that cannot be rolled, saying why and what to do instead."""
    if reason == "already rolled":
        advice = "it was already rolled; roll the key that replaced it instead"
    else:
        advice = f"it is {reason}; create a new key instead"
    return ApiProblem(409, f"cannot roll this key: {advice}")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def auth(request: Request, scope: str, also: str | None = None) -> Principal:
    store = store_of(request)
    store.flush_soon()
    return await authenticate(request, store, request.app.state.limiter, scope, also)


def key_id_of(request: Request) -> str:
    key_id = str(request.path_params["key_id"])
    if not KEY_ID.fullmatch(key_id):  # the route matches only these; kept as a second check
        raise ApiProblem(404, "no such API key")
    return key_id


def found(value: T | None) -> T:
    if value is None:
        raise ApiProblem(404, "no such API key")
    return value


async def control(store: Store, principal: Principal, key_id: str, action: str) -> None:
    """No escalation: 404 for an unknown key, 403 when it is more powerful than the caller.

    A key may always act on itself (its scopes cover its own), so it can revoke itself.
    """
    if principal.key_id is None or principal.key_id == key_id:
        return
    scopes = found(await store.key_scopes(principal.account_id, key_id))
    require_covered(principal, scopes, action)


async def healthz(request: Request) -> Response:
    return JsonAnswer({"status": "ok"})


async def readyz(request: Request) -> Response:
    await store_of(request).ping()  # StoreUnavailable: 503
    return JsonAnswer({"status": "ok"})


async def openapi_json(request: Request) -> Response:
    if not _OPENAPI:
        files = resources.files("ticos_tui.service")
        _OPENAPI.append(files.joinpath("openapi.json").read_bytes())
    return Response(_OPENAPI[0], media_type="application/json")


async def account(request: Request) -> Response:
    principal = await auth(request, "account:read")
    return JsonAnswer(found(await store_of(request).account(principal.account_id)))


async def end_session(request: Request) -> Response:
    try:
        principal: Principal | None = await auth(request, "*")
    except ApiProblem as problem:
        if problem.status != 403:
            raise
        principal = None  # an API key without `*`: refused below like any API key
    if principal is None or principal.token_hash is None:
        raise ApiProblem(
            403, "only a session token can be ended here; an API key ends when it is revoked"
        )
    await store_of(request).end_session(principal.token_hash, client_of(request))
    return Response(status_code=204)


async def list_keys(request: Request) -> Response:
    principal = await auth(request, "api_keys:read")
    status = query_status(request)
    limit = query_int(request, "limit", 100, 1, 1000)
    raw_cursor = query_value(request, "cursor")
    before = None if raw_cursor is None else decode_cursor(raw_cursor)
    data, next_seq = await store_of(request).list_keys(principal.account_id, status, limit, before)
    next_cursor = None if next_seq is None else encode_cursor(next_seq)
    return JsonAnswer({"data": data, "next_cursor": next_cursor})


async def create_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:write")
    store = store_of(request)
    body = await read_json(request)
    if "name" not in body:
        raise invalid("name", "is required")
    name = validate_name(body["name"])
    scopes = validate_scopes(body["scopes"]) if "scopes" in body else ["*"]
    expires_at = validate_expires_at(body.get("expires_at"), store.clock())
    require_covered(principal, scopes, "create")
    expires_at = bounded_expiry(principal, expires_at, "create")
    who = actor_of(request, principal)
    created, key = await store.create_key(
        principal.account_id, NewKey(name, scopes, expires_at), who
    )
    return JsonAnswer({**created, "key": key}, status_code=201, headers=_NO_STORE)


async def get_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:read")
    got = await store_of(request).get_key(principal.account_id, key_id_of(request))
    return JsonAnswer(found(got))


async def rename_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:write")
    store = store_of(request)
    key_id = key_id_of(request)
    body = await read_json(request)
    if "name" not in body:
        raise invalid("name", "is required")
    name = validate_name(body["name"])
    await control(store, principal, key_id, "rename")
    who = actor_of(request, principal)
    return JsonAnswer(found(await store.rename_key(principal.account_id, key_id, name, who)))


async def delete_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:write")
    store = store_of(request)
    key_id = key_id_of(request)
    await control(store, principal, key_id, "delete")
    who = actor_of(request, principal)
    found(await store.revoke_key(principal.account_id, key_id, delete=True, actor=who))
    return Response(status_code=204)


async def revoke_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:write")
    store = store_of(request)
    key_id = key_id_of(request)
    await control(store, principal, key_id, "revoke")
    who = actor_of(request, principal)
    return JsonAnswer(found(await store.revoke_key(principal.account_id, key_id, actor=who)))


async def roll_key(request: Request) -> Response:
    principal = await auth(request, "api_keys:write")
    store = store_of(request)
    key_id = key_id_of(request)
    body = await read_json(request, required=False)
    grace = validate_grace(body["grace_seconds"]) if "grace_seconds" in body else 0
    keep_lifetime = "expires_at" not in body
    expires_at = validate_expires_at(body.get("expires_at"), store.clock())
    if not keep_lifetime:
        expires_at = bounded_expiry(principal, expires_at, "roll")
    await control(store, principal, key_id, "roll")
    try:
        roll = Roll(grace, expires_at, keep_lifetime, not_after=latest_end(principal))
        rolled = await store.roll_key(
            principal.account_id, key_id, roll, actor_of(request, principal)
        )
    except KeyConflict as conflict:
        raise roll_conflict(str(conflict)) from None
    created, key = found(rolled)
    return JsonAnswer({**created, "key": key}, status_code=201, headers=_NO_STORE)


async def key_usage(request: Request) -> Response:
    principal = await auth(request, "api_keys:read", also="usage:read")
    key_id = key_id_of(request)
    days = query_int(request, "days", 30, 1, 90)
    usage = await store_of(request).usage(principal.account_id, key_id, days)
    return JsonAnswer({"days": found(usage)})


async def list_events(request: Request) -> Response:
    principal = await auth(request, "audit:read")
    key_id, action, since = query_filters(request)
    limit = query_int(request, "limit", 100, 1, 1000)
    raw_cursor = query_value(request, "cursor")
    before = None if raw_cursor is None else decode_cursor(raw_cursor)
    query = EventQuery(key_id, action, since, limit, before)
    data, next_seq = await store_of(request).list_events(principal.account_id, query)
    next_cursor = None if next_seq is None else encode_cursor(next_seq)
    return JsonAnswer({"data": data, "next_cursor": next_cursor})


async def verify_answer(
    state: State, client: str, body: bytes, content_type: str
) -> dict[str, Any]:
    """The verify result for a request body (after the size limit).

    The hot path: checksum first (no database for a malformed key), one indexed lookup by
    hash, and the use counted in memory. A failed check counts against `client` and, past the
    limit, answers 429; a valid key is answered whatever its caller's failures (v1.2).
    """
    store: Store = state.store
    data = parse_json_body(body, content_type)
    if "key" not in data:
        raise invalid("key", "is required")
    candidate = data["key"]
    if not isinstance(candidate, str):
        raise invalid("key", "must be a string")
    store.flush_soon()
    if not is_well_formed_key(candidate):
        reason: str | None = "malformed"
        key = None
    else:
        key = await store.key_by_hash(secret_hash(candidate))
        reason = key_problem(key, store.now())
    if reason is not None or key is None:
        owner = (key.account_id, key.id) if key is not None else (None, None)
        await state.verify_limiter.failed(client, *owner)  # 429 past the limit
        return {"valid": False, "reason": reason}
    store.record_use(key.id)
    return {
        "valid": True,
        "key_id": key.id,
        "account_id": key.account_id,
        "scopes": key.scopes,
        "expires_at": key.expires_at,
    }


async def verify(request: Request) -> Response:
    # Reached only when VerifyFastPath passes a request on (a query string: 422 here).
    state = request.app.state
    client = client_of(request)
    check_content_length(request.headers.get("content-length"))
    body = await request.body()
    if len(body) > MAX_BODY:
        raise too_large()
    answer = await verify_answer(state, client, body, request.headers.get("content-type", ""))
    return JsonAnswer(answer)
