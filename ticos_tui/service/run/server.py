"""`ticos-tui serve`: the service over HTTP with uvicorn, hardened for slow clients and rebinding."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import resource
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ticos_tui.service.run.options import AUDIT_RETENTION_DAYS, HEADER_TIMEOUT
from ticos_tui.settings.paths import data_dir as default_data_dir

KEEP_ALIVE_TIMEOUT = 5.0  # seconds an idle keep-alive connection stays open
MAX_HEAD = 16 * 1024  # bytes of request line and headers; larger is refused by h11
_FD_RESERVE = 64  # file descriptors kept for the database, logs and the listening socket


def is_loopback(host: str) -> bool:
    """Whether a host name or address (optionally in brackets) is this machine's loopback."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """What to tell the operator about listening on `host`; None for loopback."""
    if is_loopback(host):
        return None
    return (
        f"{host} is reachable from other machines, and this is plain HTTP: keys and tokens "
        "would cross the network unencrypted. Put it behind a TLS proxy (and name the proxy "
        "with --forwarded-allow-ips)."
    )


def _host_of(header: str) -> str:
    """The host part of a Host header: `[::1]:8765` -> `[::1]`, `localhost:8765` -> `localhost`."""
    if header.startswith("["):
        return header.partition("]")[0] + "]"
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class LoopbackHostOnly:
    """Refuse requests addressed to a non-loopback name while bound to loopback (DNS rebinding).

    A web page can point its own domain at 127.0.0.1 and have the browser call this service;
    the browser then sends that domain as Host. Programs on this machine send a loopback name.
    """

    DETAIL = (
        "this service listens on loopback only and answers requests addressed to localhost, "
        "127.0.0.1 or [::1]; the Host header named another host"
    )

    def __init__(self, app: Any) -> None:
        self.app = app
        self.body = json.dumps({"detail": self.DETAIL}).encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = next((v for k, v in scope["headers"] if k == b"host"), None)
            if host is not None and not is_loopback(_host_of(host.decode("latin-1"))):
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self.body)).encode()),
                ]
                await send({"type": "http.response.start", "status": 421, "headers": headers})
                await send({"type": "http.response.body", "body": self.body})
                return
        await self.app(scope, receive, send)


def connection_budget() -> tuple[int, int]:
    """(connections to allow at once, accept backlog) that fit the open-file limit.

    Raises the soft open-file limit towards the hard one first, as servers commonly do. asyncio
    accepts up to `backlog` connections in one go before any of them is handled, so the budget
    keeps room for one such burst on top of the connections and the database's own files.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1000 + 2048 + _FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    if soft == resource.RLIM_INFINITY:
        return 1000, 2048
    room = max(32, soft - _FD_RESERVE)
    backlog = max(8, min(2048, room // 4))
    return max(8, min(1000, room - backlog)), backlog


def _protocol_class(limit: int, header_timeout: float) -> type:
    """uvicorn's h11 protocol, plus a deadline for whole requests and room for new connections.

    uvicorn closes a connection idle after a response, but any byte of a next request cancels
    that, and nothing limits how long a request may take to arrive: one half-sent request per
    connection held a file descriptor each until the process ran out. Here every connection has
    `header_timeout` seconds from its opening (or its last response) to deliver a whole request,
    and when connections reach `limit` the one waiting longest for a request is closed to make
    room, so a new client (healthz, say) gets in at once; uvicorn answers 503 only when every
    connection has a request in progress.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    waiting: dict[H11Protocol, None] = {}  # connections between requests, longest-waiting first

    class GuardedH11Protocol(H11Protocol):
        _deadline: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._await_request()
            if len(self.connections) >= limit:
                victim = next((c for c in waiting if c is not self), None)
                if victim is not None:
                    victim.cut()  # type: ignore[attr-defined]

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_waiting()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                waiting.pop(self, None)  # a request has begun: not idle, not to be evicted
            if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
                self._stop_waiting()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_request()

        def _await_request(self) -> None:
            self._stop_waiting()
            waiting[self] = None
            self._deadline = self.loop.call_later(header_timeout, self.cut)

        def _stop_waiting(self) -> None:
            waiting.pop(self, None)
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def cut(self) -> None:
            self._stop_waiting()
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but a Ctrl-C or SIGTERM ends `serve` with a return, not a re-raise.

        uvicorn re-raises the signal after its graceful shutdown, which kills the process with
        status 143 before `serve` can return its exit code.
        """

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server


class ServeError(Exception):
    """`serve` cannot start: what went wrong and what to do, in one sentence for the CLI."""


def _listen_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (in use, not an address here…), or None.

    Checked before uvicorn binds, which would only log the errno and exit with 3.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as err:
        return f"cannot listen on {host}:{port}: {err.strerror or err}; check --host"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as err:
            hint = (
                "pick another --port, or stop what uses it"
                if err.errno == errno.EADDRINUSE
                else "check --host and --port"
            )
            return f"cannot listen on {host}:{port}: {(err.strerror or str(err)).lower()}; {hint}"
    return None


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: Path | None = None,
    *,
    forwarded_allow_ips: str | None = None,
    limit_concurrency: int | None = None,
    header_timeout: float = HEADER_TIMEOUT,
    # What the operator sees (ticos_tui.service.run.observe): the access log, its format, metrics.
    log_level: str = "info",
    log_format: str = "text",
    metrics: bool = False,
    database_url: str | None = None,
    audit_retention_days: int = AUDIT_RETENTION_DAYS,
) -> int:
    """Serve the app until Ctrl-C or SIGTERM; returns the process exit code.

    Raises ServeError when it cannot start (the port, the store, a missing extra).

    Args:
        forwarded_allow_ips: proxies whose X-Forwarded-For is trusted; None: none (the client,
            for rate limits, is always the TCP peer).
        limit_concurrency: most connections at once (default: from the open-file limit).
        header_timeout: seconds a client has to send a whole request.
        log_level: `debug`, `info` (an access line per request), `warning` or `error`.
        log_format: `text` or `json` (one object per line), on stderr.
        metrics: serve Prometheus metrics at `/metrics` (needs the `metrics` extra).
        database_url: a PostgreSQL database to serve (several instances may share it) instead
            of the data folder's SQLite; its accounts come from `accounts create --database-url`.
        audit_retention_days: days audit events are kept (pruned in the background).
    """
    import uvicorn

    from ticos_tui.service.app import create_app
    from ticos_tui.service.bootstrap import local_session_token, token_path
    from ticos_tui.service.run.observe import configure_logging, metrics_problem, observe_app
    from ticos_tui.service.store.errors import StoreUnavailable

    configure_logging(log_level, log_format)
    if metrics and (problem := metrics_problem()):
        raise ServeError(problem)
    if problem := _listen_problem(host, port):
        raise ServeError(problem)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        if database_url is None:  # a shared database has no one local account
            local_session_token(folder)
        app: Any = create_app(
            folder, database_url=database_url, audit_retention_days=audit_retention_days
        )
    except (OSError, RuntimeError, StoreUnavailable) as exc:
        where = "the database" if database_url else f"the data folder {folder}"
        said = str(exc)
        raise ServeError(
            said if said.startswith("cannot") else f"cannot open {where}: {said}"
        ) from None
    routes = app.routes  # the service's own, to name each request in the log by its template
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Ticos service on http://{shown_host}:{port}/v1", flush=True)
    if database_url is None:
        print(f"Session token of the local account: {token_path(folder)}", flush=True)
    else:
        print("Store: PostgreSQL; add accounts with `ticos-tui accounts create --database-url`")
    warning = exposure_warning(host)
    guard = None
    if warning:
        print(f"ticos-tui serve: {warning}", file=sys.stderr, flush=True)
    elif not forwarded_allow_ips:
        # Behind a named proxy, the Host is the proxy's business (it may pass the public name).
        guard = LoopbackHostOnly
        app = guard(app)
    # Outermost, so refusals and the verify fast path are logged and counted too; /metrics is
    # behind the same guard.
    app = observe_app(app, routes, metrics=metrics, guard=guard)
    limit, backlog = connection_budget()
    limit = limit_concurrency or limit
    # uvicorn's access log is off (it would print raw paths, query strings included): the access
    # line is observe's, with the route template. log_config=None leaves logging as configured
    # above, so uvicorn's own lines take the same format. uvicorn handles SIGINT/SIGTERM with a
    # graceful shutdown, which runs the app's lifespan exit (flushes pending key uses). uvicorn
    # trusts X-Forwarded-For from 127.0.0.1 by default; here only from proxies the operator names.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        log_level=log_level,
        lifespan="on",
        http=_protocol_class(limit, header_timeout),
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        limit_concurrency=limit,
        backlog=backlog,
        timeout_keep_alive=int(KEEP_ALIVE_TIMEOUT),
        h11_max_incomplete_event_size=MAX_HEAD,
    )
    server = _server_class()(config)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    if not server.started:
        raise ServeError(f"could not listen on {host}:{port} (its log above says why)")
    return 0
