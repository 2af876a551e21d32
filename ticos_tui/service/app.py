"""The Starlette app: the contract's routes, their handlers and the error answers."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import re
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ticos_tui.keyformat import is_well_formed_key, secret_hash
from ticos_tui.service.auth import (
    FailedAuthLimiter,
    Principal,
    authenticate,
    client_of,
    key_problem,
)
from ticos_tui.service.fastpath import VerifyFastPath
from ticos_tui.service.offloop import StoreCalls, unavailable
from ticos_tui.service.scopes import require_covered
from ticos_tui.service.store import (
    FLUSH_INTERVAL,
    WRITE_TIMEOUT,
    KeyConflict,
    Store,
    StoreUnavailable,
)
from ticos_tui.service.validation import (
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

log = logging.getLogger(__name__)

_KEY_ID = re.compile(r"key_[0-9A-Za-z]{1,40}", re.ASCII)
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
_CURSOR_BODY = re.compile(rb"s:([0-9]{1,18})", re.ASCII)
_NO_STORE = {"Cache-Control": "no-store"}

Handler = Callable[[Request], Awaitable[Response]]


class KeyIdConvertor(StringConvertor):
    """Only `key_…` ids match a key's path, so `/v1/api-keys/verify` with a wrong method is a 405."""

    regex = "key_[0-9A-Za-z]{1,40}"


register_url_convertor("key_id", KeyIdConvertor())


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


def _openapi_bytes() -> bytes:
    return resources.files("ticos_tui.service").joinpath("openapi.json").read_bytes()


def _route(path: str, query: tuple[str, ...] = (), **handlers: Handler) -> Route:
    """One route per path, so a wrong method gets 405 with an `Allow` listing every method.

    Query parameters other than `query` are refused (422) rather than ignored, so a typo such as
    `?limt=5` is not silently answered with the default.
    """
    allowed = frozenset(query)

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        if request.query_params and not allowed.issuperset(request.query_params.keys()):
            names = ", ".join(sorted(allowed)) or "none"
            raise invalid("query", f"unknown parameter; this endpoint takes: {names}")
        return await handlers[method](request)

    return Route(path, endpoint, methods=list(handlers))


def create_app(
    data_dir: Path,
    *,
    failed_auth_limit: int = 30,
    failed_auth_window: float = 60.0,
    clock: Callable[[], float] = time.time,
    store_timeout: float = WRITE_TIMEOUT,
) -> Starlette:
    """The service over the database in `data_dir` (opened now: works without lifespan events).

    Args:
        data_dir: the data folder; `ticos.db` is created there (0600, folder 0700).
        failed_auth_limit: failed authentications per client and window before 429.
        failed_auth_window: the window, in seconds.
        clock: the wall clock (tests move it to expire keys).
        store_timeout: seconds a write waits for a locked store before answering 503.
    """
    store = Store(Path(data_dir), clock=clock, write_timeout=store_timeout)
    calls = StoreCalls(store)
    read, write = calls.read, calls.write
    # Failed authentications and failed verifies are counted apart: one never throttles the other.
    limiter = FailedAuthLimiter(failed_auth_limit, failed_auth_window)
    verify_limiter = FailedAuthLimiter(failed_auth_limit, failed_auth_window)
    openapi: list[bytes] = []

    async def auth(request: Request, scope: str, also: str | None = None) -> Principal:
        calls.flush_soon()
        return await authenticate(request, calls, limiter, scope, also)

    def key_id_of(request: Request) -> str:
        key_id = request.path_params["key_id"]
        if not _KEY_ID.fullmatch(key_id):
            raise ApiProblem(404, "no such API key")
        return str(key_id)

    def found(value: Any) -> Any:
        if value is None:
            raise ApiProblem(404, "no such API key")
        return value

    async def control(principal: Principal, key_id: str, action: str) -> None:
        """No escalation: 404 for an unknown key, 403 when it is more powerful than the caller.

        A key may always act on itself (its scopes cover its own), so it can revoke itself.
        """
        if principal.key_id is None or principal.key_id == key_id:
            return
        scopes = found(await read(store.key_scopes, principal.account_id, key_id))
        require_covered(principal, scopes, action)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:  # a store that cannot answer: 503 (from read, or here when it hangs)
            await asyncio.wait_for(read(store.ping), timeout=store.write_timeout)
        except TimeoutError:
            raise unavailable(StoreUnavailable("the store did not answer in time")) from None
        return JSONResponse({"status": "ok"})

    async def openapi_json(request: Request) -> Response:
        if not openapi:
            openapi.append(_openapi_bytes())
        return Response(openapi[0], media_type="application/json")

    async def account(request: Request) -> Response:
        principal = await auth(request, "account:read")
        return JSONResponse(found(await read(store.account, principal.account_id)))

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
        await write(store.end_session, principal.token_hash)
        return Response(status_code=204)

    async def list_keys(request: Request) -> Response:
        principal = await auth(request, "api_keys:read")
        status = query_status(request)
        limit = query_int(request, "limit", 100, 1, 1000)
        raw_cursor = query_value(request, "cursor")
        before = None if raw_cursor is None else decode_cursor(raw_cursor)
        data, next_seq = await read(store.list_keys, principal.account_id, status, limit, before)
        next_cursor = None if next_seq is None else encode_cursor(next_seq)
        return JSONResponse({"data": data, "next_cursor": next_cursor})

    async def create_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:write")
        body = await read_json(request)
        if "name" not in body:
            raise invalid("name", "is required")
        name = validate_name(body["name"])
        scopes = validate_scopes(body["scopes"]) if "scopes" in body else ["*"]
        expires_at = validate_expires_at(body.get("expires_at"), store.clock())
        require_covered(principal, scopes, "create")
        created, key = await write(store.create_key, principal.account_id, name, scopes, expires_at)
        created["key"] = key
        return JSONResponse(created, status_code=201, headers=_NO_STORE)

    async def get_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:read")
        return JSONResponse(
            found(await read(store.get_key, principal.account_id, key_id_of(request)))
        )

    async def rename_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:write")
        key_id = key_id_of(request)
        body = await read_json(request)
        if "name" not in body:
            raise invalid("name", "is required")
        name = validate_name(body["name"])
        await control(principal, key_id, "rename")
        return JSONResponse(
            found(await write(store.rename_key, principal.account_id, key_id, name))
        )

    async def delete_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:write")
        await control(principal, key_id_of(request), "delete")
        found(await write(store.revoke_key, principal.account_id, key_id_of(request), delete=True))
        return Response(status_code=204)

    async def revoke_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:write")
        await control(principal, key_id_of(request), "revoke")
        return JSONResponse(
            found(await write(store.revoke_key, principal.account_id, key_id_of(request)))
        )

    async def roll_key(request: Request) -> Response:
        principal = await auth(request, "api_keys:write")
        key_id = key_id_of(request)
        body = await read_json(request, required=False)
        grace = validate_grace(body["grace_seconds"]) if "grace_seconds" in body else 0
        keep_lifetime = "expires_at" not in body
        expires_at = validate_expires_at(body.get("expires_at"), store.clock())
        await control(principal, key_id, "roll")
        try:
            rolled = await write(
                store.roll_key,
                principal.account_id,
                key_id,
                grace,
                expires_at=expires_at,
                keep_lifetime=keep_lifetime,
            )
        except KeyConflict as conflict:
            raise roll_conflict(str(conflict)) from None
        created, key = found(rolled)
        created["key"] = key
        return JSONResponse(created, status_code=201, headers=_NO_STORE)

    async def key_usage(request: Request) -> Response:
        principal = await auth(request, "api_keys:read", also="usage:read")
        key_id = key_id_of(request)
        days = query_int(request, "days", 30, 1, 90)
        return JSONResponse(
            {"days": found(await read(store.usage, principal.account_id, key_id, days))}
        )

    async def verify_answer(client: str, body: bytes, content_type: str) -> dict[str, Any]:
        """The verify result for a request body (after the throttle check and the size limit).

        The hot path: checksum first (no database for a malformed key), one indexed lookup by
        hash, and the use counted in memory. A failed check counts against `client`.
        """
        data = parse_json_body(body, content_type)
        if "key" not in data:
            raise invalid("key", "is required")
        candidate = data["key"]
        if not isinstance(candidate, str):
            raise invalid("key", "must be a string")
        calls.flush_soon()
        if not is_well_formed_key(candidate):
            reason: str | None = "malformed"
            key = None
        else:
            key = await read(store.key_by_hash, secret_hash(candidate))
            reason = key_problem(key, store.now())
        if reason is not None or key is None:
            verify_limiter.failed(client)
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
        client = client_of(request)
        verify_limiter.check(client)
        check_content_length(request.headers.get("content-length"))
        body = await request.body()
        if len(body) > MAX_BODY:
            raise too_large()
        answer = await verify_answer(client, body, request.headers.get("content-type", ""))
        return JSONResponse(answer)

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)

    async def http_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = {404: "not found: no such endpoint", 405: "method not allowed"}.get(
            exc.status_code, str(exc.detail)
        )
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never a stack trace or input in the answer; the server's own log has the details.
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Served mode: flush coalesced uses on a timer too, and everything at shutdown.
        async def flusher() -> None:
            while True:
                await asyncio.sleep(FLUSH_INTERVAL)
                calls.flush_soon()  # a failure keeps the uses for the next one, and is logged

        task = asyncio.create_task(flusher())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # Flush, but keep the connection: a host may run lifespan more than once (test
            # clients do, per request), and the app must keep working after it.
            try:
                await write(store.flush_uses)
            except ApiProblem as exc:
                log.warning("key uses could not be written at shutdown: %s", exc.detail)

    routes = [
        _route("/v1/healthz", GET=healthz),
        _route("/v1/readyz", GET=readyz),
        _route("/v1/openapi.json", GET=openapi_json),
        _route("/v1/account", GET=account),
        _route("/v1/session", DELETE=end_session),
        _route("/v1/api-keys", ("status", "limit", "cursor"), GET=list_keys, POST=create_key),
        _route("/v1/api-keys/verify", POST=verify),
        _route("/v1/api-keys/{key_id:key_id}", GET=get_key, PATCH=rename_key, DELETE=delete_key),
        _route("/v1/api-keys/{key_id:key_id}/revoke", POST=revoke_key),
        _route("/v1/api-keys/{key_id:key_id}/roll", POST=roll_key),
        _route("/v1/api-keys/{key_id:key_id}/usage", ("days",), GET=key_usage),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(VerifyFastPath, before_body=verify_limiter.check, answer=verify_answer)
        ],
        exception_handlers={
            ApiProblem: problem,
            HTTPException: http_problem,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.limiter = limiter
    app.state.verify_limiter = verify_limiter
    # Worker threads end with the app (tests and the TUI may make many in one process).
    weakref.finalize(app, calls.shutdown)
    return app
