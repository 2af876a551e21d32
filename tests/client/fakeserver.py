"""A tiny misbehaving HTTP server on loopback: the faults a real network or a wrong URL produce."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

# A reply: (status, headers, body bytes). Returning None from a behaviour drops the connection.
Reply = tuple[int, dict[str, str], bytes]
Behaviour = Callable[[str, str], Reply | None]


def json_reply(status: int, data: object, **headers: str) -> Reply:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_server(behaviour: Behaviour, *, delay: float = 0.0) -> Iterator[str]:
    """Serve `behaviour(method, path)` on a free loopback port; yields the base URL (…/v1)."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if delay and stop.wait(delay):
                return
            reply = behaviour(self.command, self.path)
            if reply is None:
                self.close_connection = True
                return
            status, headers, body = reply
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client hung up on a slow answer: expected here

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and counts the requests sent through it (retries included)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
