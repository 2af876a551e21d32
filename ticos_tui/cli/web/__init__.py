"""`ticos-tui web`: the TUI served to a browser by textual-serve (the optional `web` extra)."""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ticos_tui.cli.web.options import MAX_SESSIONS
from ticos_tui.core.errors import UsageError
from ticos_tui.service.run.options import HEADER_TIMEOUT

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8766
# Named by this interpreter's pip, so the command works as written in any install (a venv, a
# clone, pipx): `pip install 'ticos-tui[web]'` outside the venv installed it elsewhere.
MISSING_EXTRA = (
    "the web mode needs textual-serve, which is not installed here; install it with: "
    f"{sys.executable} -m pip install 'textual-serve>=1.1'"
)
PUBLIC_WARNING = (
    "Warning: {url} is reachable from other machines. Anyone who learns its token (printed "
    "below, and sent in every request: use https in front of it) controls this Ticos account: "
    "they can create, roll and revoke its keys."
)
ANNOUNCE = (
    "ticos-tui in the browser: open {url}/?token={token}\n"
    "(once: the browser then keeps a cookie; the token is the key to this account)"
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
        import aiohttp  # noqa: F401
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    from ticos_tui.cli.web.server import GuardedServer

    return GuardedServer


def build_server(
    command: str,
    host: str,
    port: int,
    *,
    url: str,
    token: str,
    max_sessions: int = MAX_SESSIONS,
    header_timeout: float = HEADER_TIMEOUT,
) -> Any:
    """The guarded textual-serve server that runs `command` for each browser tab (not started)."""
    if max_sessions < 1:
        raise UsageError(f"--max-sessions must be at least 1, not {max_sessions}")
    if header_timeout <= 0:
        raise UsageError(f"--header-timeout must be positive, not {header_timeout:g}")
    allowed = allowed_hosts(host, port, url)
    return _server_class()(
        command,
        token=token,
        allowed=lambda headers: request_allowed(headers, allowed),
        max_sessions=max_sessions,
        header_timeout=header_timeout,
        announce=ANNOUNCE.format(url=url, token=token),
        host=host,
        port=port,
        title="ticos-tui",
        public_url=url,
    )


def serve_web(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    public: bool = False,
    public_url: str | None = None,
    base_url: str | None = None,
    data_dir: Path | None = None,
    timeout: float | None = None,
    token_file: Path | None = None,
    max_sessions: int = MAX_SESSIONS,
    header_timeout: float = HEADER_TIMEOUT,
) -> int:
    """Serve the TUI to browsers until Ctrl-C; returns the exit code.

    The token comes from `token_file`, else TICOS_WEB_TOKEN, else is made for this launch; it is
    printed once, in the address to open (see ticos_tui.cli.web.guard).

    Raises:
        UsageError: textual-serve is missing, the port is 0, a non-loopback host was asked
            for without `public=True`, or a token file or a limit is not usable.
    """
    if port == 0:
        raise UsageError("the web mode needs a fixed port (the page embeds it); use --port N")
    if not is_loopback(host) and not public:
        raise UsageError(
            f"{host} is reachable from other machines; "
            "add --public if anyone who has the printed address may control this account"
        )
    url = page_url(host, port, public_url)
    _server_class()  # the extra is missing: say so before anything else
    from ticos_tui.cli.web.guard import load_token

    server = build_server(
        app_command(base_url=base_url, data_dir=data_dir, timeout=timeout),
        host,
        port,
        url=url,
        token=load_token(token_file),
        max_sessions=max_sessions,
        header_timeout=header_timeout,
    )
    if not is_loopback(host):
        print(PUBLIC_WARNING.format(url=url), file=sys.stderr, flush=True)
    server.serve()
    return 0
