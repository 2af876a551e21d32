"""`ticos-tui web`: the TUI served to a browser by textual-serve (the optional `web` extra)."""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ticos_tui.core.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8766
MISSING_EXTRA = (
    "the web mode needs textual-serve, which is not installed here; "
    "install it with: pip install 'ticos-tui[web]'"
)
PUBLIC_WARNING = (
    "Warning: the web page has no login. Anyone who can reach {url} controls this "
    "Ticos account: they can create, roll and revoke its keys. Serve it only on a network "
    "you trust, or behind a proxy that asks for a login."
)


def is_loopback(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def page_url(host: str, port: int, public_url: str | None = None) -> str:
    """The address a browser opens: `public_url`, else one built from where we listen."""
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--public-url {public_url!r} is not an http(s) URL")
        return public_url.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        # A wildcard cannot be opened from another machine; name this one instead.
        host = socket.gethostname()
    return f"http://{_url_host(host)}:{port}"


def allowed_hosts(host: str, port: int, url: str) -> frozenset[str]:
    """The `Host`/`Origin` netlocs a request may carry: the page's, and loopback aliases on loopback.

    Checking them stops a web page the user visits from driving the app through a
    websocket to this port (browsers do not apply CORS to websockets), and DNS rebinding.
    """
    names = {urlsplit(url).netloc.lower()}
    if is_loopback(host):
        names |= {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    return frozenset(names)


def request_allowed(headers: Any, allowed: frozenset[str]) -> bool:
    """A request's Host, and its Origin when a browser sent one, name this server."""
    if headers.get("Host", "").lower() not in allowed:
        return False
    origin = headers.get("Origin")
    return origin is None or urlsplit(origin).netloc.lower() in allowed


def app_command(
    *, base_url: str | None, data_dir: Path | None, timeout: float | None = None
) -> str:
    """The shell command textual-serve runs for each browser tab: this TUI, same settings.

    Only non-secret settings go on the command line; the token reaches the app through the
    environment it inherits (TICOS_TOKEN) or the stored login, never through its arguments.
    """
    argv = [sys.executable, "-m", "ticos_tui"]
    if base_url:
        argv += ["--base-url", base_url]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    if timeout is not None:
        argv += ["--timeout", f"{timeout:g}"]
    return shlex.join(argv)


def _server_class() -> type:
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None

    class GuardedServer(Server):
        """textual-serve's server, answering only requests addressed to it (see allowed_hosts)."""

        allowed: frozenset[str] = frozenset()

        def _refuse(self, request: web.Request) -> None:
            if not request_allowed(request.headers, self.allowed):
                raise web.HTTPForbidden(text="This address is not served here.")

        async def handle_index(self, request: web.Request) -> Any:
            self._refuse(request)
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> Any:
            self._refuse(request)
            return await super().handle_websocket(request)

        async def handle_download(self, request: web.Request) -> Any:
            self._refuse(request)
            return await super().handle_download(request)

    return GuardedServer


def serve_web(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    public: bool = False,
    public_url: str | None = None,
    base_url: str | None = None,
    data_dir: Path | None = None,
    timeout: float | None = None,
) -> int:
    """Serve the TUI to browsers until Ctrl-C; returns the exit code.

    Raises:
        UsageError: textual-serve is missing, the port is 0, or a non-loopback host
            was asked for without `public=True`.
    """
    if port == 0:
        raise UsageError("the web mode needs a fixed port (the page embeds it); use --port N")
    if not is_loopback(host) and not public:
        raise UsageError(
            f"{host} is reachable from other machines, and the web page has no login; "
            "add --public if anyone who reaches that address may control this account"
        )
    url = page_url(host, port, public_url)
    server_class = _server_class()
    server = server_class(
        app_command(base_url=base_url, data_dir=data_dir, timeout=timeout),
        host=host,
        port=port,
        title="ticos-tui",
        public_url=url,
    )
    server.allowed = allowed_hosts(host, port, url)
    if not is_loopback(host):
        print(PUBLIC_WARNING.format(url=url), file=sys.stderr, flush=True)
    print(f"ticos-tui in the browser: {url}", file=sys.stderr, flush=True)
    server.serve()
    return 0
