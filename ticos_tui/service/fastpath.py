"""VerifyFastPath: `POST /v1/api-keys/verify` answered straight from ASGI, without routing.

Every application checks its key on this route, so it is the one that must keep up with the
server stack; it needs no credential and no path parameters, so Starlette's request object,
router and exception layers are pure overhead here (the service benchmark: 44% of a bare
ASGI app through the router). Its `answer` step takes the app's `state` (Starlette puts the app in
the scope before any middleware runs). Everything else, including this path with a query string or
another method, goes on to the app unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from ticos_tui.service.inputs import (
    MAX_BODY,
    ApiProblem,
    check_content_length,
    too_large,
    unavailable,
)
from ticos_tui.service.render import render
from ticos_tui.service.store.errors import StoreUnavailable

PATH = "/v1/api-keys/verify"


class VerifyFastPath:
    def __init__(
        self,
        app: ASGIApp,
        *,
        # (state, client, body, content type); a valid key is answered even from a throttled
        # client (v1.2), so there is no throttle before the body: `answer` counts failures.
        answer: Callable[[State, str, bytes, str], Awaitable[dict[str, Any]]],
    ) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        host = client[0] if client else "unknown"
        length = content_type = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        headers: dict[str, str] = {}
        state = scope["app"].state
        try:
            try:
                check_content_length(length)
                body = await self._body(receive)
                status, payload = 200, await self.answer(state, host, body, content_type or "")
            except StoreUnavailable as exc:
                raise unavailable(str(exc)) from None
        except ApiProblem as problem:
            status, payload = problem.status, {"detail": problem.detail}
            headers = problem.headers or {}
        data = render(payload)
        raw = [(b"content-length", str(len(data)).encode()), (b"content-type", b"application/json")]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})

    @staticmethod
    async def _body(receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ApiProblem(400, "body: the client went away before sending it")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
