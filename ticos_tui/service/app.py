"""The Starlette app: the contract's routes over a store, the error answers and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from ticos_tui.service import handlers as h
from ticos_tui.service.audit import RETENTION_DAYS
from ticos_tui.service.audit_api import KEY_ID, prune_forever
from ticos_tui.service.fastpath import VerifyFastPath
from ticos_tui.service.inputs import ApiProblem, invalid, unavailable
from ticos_tui.service.render import JsonAnswer
from ticos_tui.service.store.constants import FLUSH_INTERVAL, WRITE_TIMEOUT
from ticos_tui.service.store.errors import StoreUnavailable
from ticos_tui.service.store.factory import open_store
from ticos_tui.service.store.protocol import Store

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


class _Endpoint:
    """One route per path, so a wrong method gets 405 with an `Allow` listing every method.

    Query parameters other than `query` are refused (422) rather than ignored, so a typo such as
    `?limt=5` is not silently answered with the default.
    """

    def __init__(self, query: tuple[str, ...], handlers: dict[str, Handler]) -> None:
        self.allowed = frozenset(query)
        self.handlers = handlers

    async def handle(self, request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        if request.query_params and not self.allowed.issuperset(request.query_params.keys()):
            names = ", ".join(sorted(self.allowed)) or "none"
            raise invalid("query", f"unknown parameter; this endpoint takes: {names}")
        return await self.handlers[method](request)


class KeyRoute(Route):
    """A route under `/v1/api-keys/{key_id}` that matches only `key_…` ids.

    So `/v1/api-keys/verify` with a wrong method is a 405 of the verify route, not a 404 of a
    key called "verify".
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and not KEY_ID.fullmatch(child["path_params"]["key_id"]):
            return Match.NONE, {}
        return match, child


def _route(path: str, query: tuple[str, ...] = (), **handlers: Handler) -> Route:
    kind = KeyRoute if "{key_id}" in path else Route
    return kind(path, _Endpoint(query, handlers).handle, methods=list(handlers))


ROUTES = [
    _route("/v1/healthz", GET=h.healthz),
    _route("/v1/readyz", GET=h.readyz),
    _route("/v1/openapi.json", GET=h.openapi_json),
    _route("/v1/account", GET=h.account),
    _route("/v1/session", DELETE=h.end_session),
    _route("/v1/api-keys", ("status", "limit", "cursor"), GET=h.list_keys, POST=h.create_key),
    _route("/v1/api-keys/verify", POST=h.verify),
    _route("/v1/api-keys/{key_id}", GET=h.get_key, PATCH=h.rename_key, DELETE=h.delete_key),
    _route("/v1/api-keys/{key_id}/revoke", POST=h.revoke_key),
    _route("/v1/api-keys/{key_id}/roll", POST=h.roll_key),
    _route("/v1/api-keys/{key_id}/usage", ("days",), GET=h.key_usage),
    _route("/v1/audit-events", ("key_id", "action", "since", "limit", "cursor"), GET=h.list_events),
]


async def problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return JsonAnswer({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)


async def store_problem(request: Request, exc: Exception) -> Response:
    return await problem(request, unavailable(str(exc)))


async def http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = {404: "not found: no such endpoint", 405: "method not allowed"}.get(
        exc.status_code, str(exc.detail)
    )
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JsonAnswer({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    # Never a stack trace or input in the answer; the server's own log has the details.
    return JsonAnswer({"detail": "internal error"}, status_code=500)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Served mode: flush coalesced uses on a timer too, and everything at shutdown; prune
    audit events past retention in the background."""
    store: Store = app.state.store

    async def flusher() -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            store.flush_soon()  # a failure keeps the uses for the next one, and is logged

    tasks = [
        asyncio.create_task(flusher()),
        asyncio.create_task(prune_forever(store, app.state.audit_retention_days)),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await store.close()
        except StoreUnavailable as exc:
            log.warning("key uses could not be written at shutdown: %s", exc)


def create_app(
    data_dir: Path,
    *,
    database_url: str | None = None,
    failed_auth_limit: int = 30,
    failed_auth_window: float = 60.0,
    clock: Callable[[], float] = time.time,
    store_timeout: float = WRITE_TIMEOUT,
    audit_retention_days: int = RETENTION_DAYS,
) -> Starlette:
    """The service over the store (opened now: works without lifespan events).

    Args:
        data_dir: the data folder; without `database_url`, `ticos.db` is created there (0600,
            folder 0700).
        database_url: a `postgresql://` URL: the store is that database (several instances may
            share it); the PostgreSQL driver is imported only then.
        failed_auth_limit: failed authentications per client and window before 429.
        failed_auth_window: the window, in seconds.
        clock: the wall clock (tests move it to expire keys).
        store_timeout: seconds a store call waits (a lock, a connection) before answering 503.
        audit_retention_days: audit events older than this are removed (served mode).
    """
    store = open_store(data_dir, database_url, clock=clock, write_timeout=store_timeout)
    return app_for(store, failed_auth_limit, failed_auth_window, audit_retention_days)


def app_for(
    store: Store,
    failed_auth_limit: int = 30,
    failed_auth_window: float = 60.0,
    audit_retention_days: int = RETENTION_DAYS,
) -> Starlette:
    """The service over an open `store`."""
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(VerifyFastPath, answer=h.verify_answer)],
        exception_handlers={
            ApiProblem: problem,
            StoreUnavailable: store_problem,
            HTTPException: http_problem,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.audit_retention_days = audit_retention_days
    # Failed authentications and failed verifies are counted apart: one never throttles the other.
    app.state.limiter = store.failure_limiter("auth", failed_auth_limit, failed_auth_window)
    app.state.verify_limiter = store.failure_limiter(
        "verify", failed_auth_limit, failed_auth_window
    )
    return app
