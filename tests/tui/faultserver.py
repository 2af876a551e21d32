"""A switchable loopback HTTP server for the TUI tests: a tiny in-memory Ticos contract, or one fault at a time."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

TOKEN = "tst_" + "f" * 43

# What the server does with every request; set `FaultServer.mode` at any time, even mid-test.
HEALTHY = "healthy"  # answer as the contract says, from the in-memory keys
ERROR = "error"  # answer `error_status` with `{"detail": error_detail}`
SLOW = "slow"  # answer correctly, but only after `slow_seconds` (longer than the client waits)
CUT = "cut"  # send the headers and half the body, then close the connection
BAD_JSON = "bad-json"  # 200 with a JSON content type and a truncated body
MODES = (HEALTHY, ERROR, SLOW, CUT, BAD_JSON)

BASE_TIME = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


def key_json(index: int, name: str, **overrides: Any) -> dict[str, Any]:
    """An ApiKey object as the contract writes it; `index` orders them (higher is newer)."""
    data: dict[str, Any] = {
        "id": f"key_{index:04d}",
        "name": name,
        "snippet": f"tk_Ab{index % 10}d…wX{index % 10}Z",
        "status": "active",
        "scopes": ["*"],
        "created_at": _time(BASE_TIME + timedelta(hours=index)),
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }
    data.update(overrides)
    return data


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FaultServer:
    """An HTTP server on 127.0.0.1 whose behaviour (`mode`) and data (`keys`) tests change live.

    `listen()` / `refuse()` open and close the listening socket on the same port, so a
    client pointed at `url` first gets "connection refused" and later a working server.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.mode = HEALTHY
        self.error_status = 500
        self.error_detail = "internal error"
        self.slow_seconds = 1.5
        self._gate = threading.Event()  # every answer waits while it is closed (see `hold`)
        self._gate.set()
        self.account_name = "Ada Lovelace"
        self.keys: list[dict[str, Any]] = []  # newest first, as the server lists them
        self.requests: list[tuple[str, str]] = []
        self.in_flight: list[str] = []  # paths of the requests not answered yet
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------

    def listen(self) -> None:
        if self._server is not None:
            return
        self._stop.clear()
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.faults = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def refuse(self) -> None:
        """Stop listening: connections to the port are refused until `listen()`."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stop.set()  # release slow answers at once
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def hold(self) -> None:
        """Keep every answer waiting (in any mode) until `release()`: a request that hangs."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    # ---- what the tests look at -----------------------------------------------------

    def count(self, method: str, path_prefix: str) -> int:
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and p.startswith(path_prefix))

    def pending(self, path_prefix: str) -> bool:
        """Whether a request for `path_prefix` has arrived and is not answered yet."""
        with self._lock:
            return any(p.startswith(path_prefix) for p in self.in_flight)

    def add_keys(self, *names: str, **overrides: Any) -> None:
        start = len(self.keys)
        for offset, name in enumerate(names):
            self.keys.insert(0, key_json(start + offset, name, **overrides))

    # ---- answering ------------------------------------------------------------------

    def answer(self, method: str, target: str, body: bytes) -> tuple[int, Any]:
        """The contract's answer to one request in healthy mode: (status, JSON or None)."""
        parts = urlsplit(target)
        path = parts.path.removeprefix("/v1")
        if method == "GET" and path == "/healthz":
            return 200, {"status": "ok"}
        if method == "GET" and path == "/account":
            created = _time(BASE_TIME - timedelta(days=400))
            return 200, {
                "id": "acc_fault",
                "name": self.account_name,
                "email": "ada@example.com",
                "created_at": created,
            }
        if method == "GET" and path == "/api-keys":
            return 200, {"data": list(self.keys), "next_cursor": None}
        if method == "POST" and path == "/api-keys":
            name = json.loads(body or b"{}").get("name", "")
            key = key_json(len(self.keys) + 100, name)
            self.keys.insert(0, key)
            return 201, {**key, "key": "tk_" + "B" * 32 + "0ZZZZZ"}
        segments = path.split("/")
        if len(segments) >= 3 and segments[1] == "api-keys":
            key_id = unquote(segments[2])
            key = next((k for k in self.keys if k["id"] == key_id), None)
            if key is None:
                return 404, {"detail": "no such key"}
            action = segments[3] if len(segments) > 3 else ""
            if method == "GET" and not action:
                return 200, key
            if method == "PATCH" and not action:
                key["name"] = json.loads(body or b"{}").get("name", key["name"])
                return 200, key
            if method == "DELETE" and not action:
                self.keys.remove(key)
                return 204, None
            if method == "POST" and action == "revoke":
                key.update(status="revoked", revoked_at=_time(datetime.now(UTC)))
                return 200, key
            if method == "GET" and action == "usage":
                today = datetime.now(UTC).date()
                days = [
                    {"date": (today - timedelta(days=29 - d)).isoformat(), "requests": d % 4}
                    for d in range(30)
                ]
                return 200, {"days": days}
        return 404, {"detail": f"no route for {method} {path}"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    faults: FaultServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up on a slow or cut answer: expected here


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        faults = self.server.faults
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with faults._lock:
            faults.requests.append((self.command, self.path))
            faults.in_flight.append(self.path)
        try:
            while not faults._gate.wait(0.02):
                if faults._stop.is_set():
                    return
            self._reply(faults, body)
        finally:
            with faults._lock:
                faults.in_flight.remove(self.path)

    def _reply(self, faults: FaultServer, body: bytes) -> None:
        mode = faults.mode
        if mode == SLOW:
            if faults._stop.wait(faults.slow_seconds):
                return
            mode = faults.mode if faults.mode != SLOW else HEALTHY
        if mode == ERROR:
            self._send(faults.error_status, {"detail": faults.error_detail})
        elif mode == BAD_JSON:
            self._send_raw(200, b'{"data": [{"id": "key_0001", "name": ')
        elif mode == CUT:
            status, data = faults.answer(self.command, self.path, body)
            payload = json.dumps(data).encode() if data is not None else b"{}"
            payload += b" " * 256  # so that half of it is a real partial body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            time.sleep(0.05)  # let the client start reading the body before it ends
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            status, data = faults.answer(self.command, self.path, body)
            self._send(status, data)

    def _send(self, status: int, data: Any) -> None:
        if data is None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send_raw(status, json.dumps(data).encode())

    def _send_raw(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def fault_server(*, listening: bool = True) -> Iterator[FaultServer]:
    """A FaultServer on a free port (listening unless told not to); closed on exit."""
    server = FaultServer()
    if listening:
        server.listen()
    try:
        yield server
    finally:
        server.refuse()
