"""The web mode's lock: a secret per launch, a cookie, no framing, a log without query strings.

Loopback is not a boundary between the users of one machine: without a secret, any local user
could open the page (or its websocket) and drive the account. Like Jupyter, each launch makes a
random token and prints the address that carries it once; the first page load with it sets an
HttpOnly, SameSite=Strict cookie and redirects to the address without it. Every request (page,
assets, websocket) needs the cookie or the token; anything else gets 403 before a TUI starts.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ticos_tui.core.errors import UsageError

TOKEN_ENV = "TICOS_WEB_TOKEN"  # noqa: S105 (a variable's name)
TOKEN_PARAM = "token"  # noqa: S105 (the query parameter's name)
MIN_TOKEN_LENGTH = 16
REFUSED = (
    "This page needs the address ticos-tui web printed when it started (it carries a token). "
    "Open that address once in this browser."
)
# On every response: no page of another origin may frame the app (a click-jacking page framed it
# at opacity 0.01), and no address (the first one carries the token) leaks in a Referer.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def load_token(token_file: Path | None, environ: dict[str, str] | Any = os.environ) -> str:
    """The launch's token: from `token_file`, else TICOS_WEB_TOKEN (removed from `environ`, so the
    TUI children never inherit it), else a new random one.

    Raises:
        UsageError: the file cannot be read, others may read it, or the token is too short.
    """
    from_env = environ.pop(TOKEN_ENV, None)
    if token_file is not None:
        try:
            mode = token_file.stat().st_mode
            text = token_file.read_text(encoding="utf-8")
        except (OSError, UnicodeError) as err:
            raise UsageError(f"--token-file {token_file}: cannot read it ({err})") from None
        if stat.S_IMODE(mode) & 0o077:
            raise UsageError(
                f"--token-file {token_file}: other users may read it; run: chmod 600 {token_file}"
            )
        token, source = text.strip(), f"--token-file {token_file}"
    elif from_env is not None:
        token, source = from_env.strip(), TOKEN_ENV
    else:
        return new_token()
    if len(token) < MIN_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        raise UsageError(
            f"{source}: the token must be at least {MIN_TOKEN_LENGTH} printable ASCII characters"
        )
    return token


def token_matches(supplied: str, token: str) -> bool:
    """Constant-time comparison (on bytes: compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(supplied.encode("utf-8", "replace"), token.encode("utf-8"))


def cookie_name(port: int) -> str:
    # Browsers send a host's cookies to all its ports; one name per port keeps two servers apart.
    return f"ticos_web_{port}"


def guard_middleware(token: str, port: int, allowed: Callable[[Any], bool]) -> Any:
    """An aiohttp middleware: 403 unless the request names this server and carries the secret."""
    from aiohttp import web

    name = cookie_name(port)

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> Any:
        if not allowed(request.headers):
            raise web.HTTPForbidden(text="This address is not served here.")
        supplied = request.query.get(TOKEN_PARAM)
        if supplied is not None:
            if not token_matches(supplied, token):
                raise web.HTTPForbidden(text=REFUSED)
            if request.method == "GET" and request.headers.get("Upgrade") is None:
                # Set the cookie and drop the token from the address bar and the history.
                query = request.url.query.copy()
                query.popall(TOKEN_PARAM)
                redirect = web.HTTPSeeOther(request.rel_url.with_query(query))
                redirect.set_cookie(name, token, httponly=True, samesite="Strict", path="/")
                redirect.headers["Cache-Control"] = "no-store"
                raise redirect
            return await handler(request)
        cookie = request.cookies.get(name)
        if cookie is None or not token_matches(cookie, token):
            raise web.HTTPForbidden(text=REFUSED)
        return await handler(request)

    return guard


async def add_security_headers(request: Any, response: Any) -> None:
    """aiohttp's on_response_prepare hook: SECURITY_HEADERS on every response."""
    response.headers.update(SECURITY_HEADERS)


def access_logger_class() -> type:
    """aiohttp's access log, one line per request: who, method, path (never the query), status."""
    from aiohttp.abc import AbstractAccessLogger

    class PathOnlyAccessLogger(AbstractAccessLogger):
        def log(self, request: Any, response: Any, time: float) -> None:
            self.logger.info(
                "%s %s %s %s", request.remote, request.method, request.path, response.status
            )

    return PathOnlyAccessLogger


class OneLineFormatter(logging.Formatter):
    """A record with an exception is one line (its type and message): no traceback, no locals."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message} ({type(error).__name__}: {error})"
        return " ".join(message.split())
