"""A recording HTTP proxy on loopback, for the tests that check remote traffic goes through one."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ACCOUNT = {
    "id": "acct_1",
    "name": "Proxy Pat",
    "email": "pat@example.com",
    "created_at": "2026-01-01T00:00:00Z",
}


@contextmanager
def recording_proxy() -> Iterator[tuple[str, list[str]]]:
    """An HTTP proxy on loopback that records each request line and answers as the Ticos API.

    A CONNECT (an HTTPS tunnel) is recorded and refused: the test only needs to see it arrive.
    """
    seen: list[str] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline().decode("latin-1").strip()
            seen.append(line)
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # the headers
            if line.startswith("CONNECT "):
                self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            body = json.dumps(ACCOUNT).encode()
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
