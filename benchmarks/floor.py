"""The benchmarks' floor and load: a bare ASGI "hello world" under uvicorn, and `hammer`, the same
request over keep-alive connections. The harness they share with the suite is `tests.served`
(benchmarks import tests' harness; tests never import benchmarks)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from typing import Any

from tests.served import HOST, ROOT, Connection, Timings, free_port


async def hello_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The bare ASGI "hello world" the service is compared with."""
    if scope["type"] != "http":
        return
    body = b'{"hello":"world"}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"17")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def start_hello() -> tuple[subprocess.Popen[bytes], int]:
    """The bare app under uvicorn with the same settings `serve` uses."""
    port = free_port()
    code = (
        "import uvicorn; from benchmarks.floor import hello_app; "
        f"uvicorn.run(hello_app, host='{HOST}', port={port}, access_log=False, log_level='warning', lifespan='off')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("hello-world server did not start")


async def hammer(
    port: int, raw: bytes, *, connections: int, seconds: float, max_requests: int
) -> Timings:
    """The same request over `connections` keep-alive connections, bounded in time and count."""
    timings = Timings()
    deadline = time.perf_counter() + seconds
    remaining = [max_requests]

    async def worker() -> None:
        conn = await Connection.open(port)
        try:
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                started = time.perf_counter()
                status, _ = await conn.request(raw)
                timings.add(time.perf_counter() - started, status)
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    timings.elapsed = time.perf_counter() - started
    return timings
