"""Web fixtures: `ticos-tui web` (textual-serve) on a free loopback port, over an account with one key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.client.fakeserver import free_port
from ticos_tui.cli import main

KEY_NAME = "web-visible-key"


TOKEN_LINE = re.compile(r"(http://\S+)/\?token=(\S+)")


@dataclass
class WebServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    token: str
    log: Path  # the server's stdout: its log
    errors: Path  # its stderr: where the address with the token is printed

    @property
    def cookie(self) -> dict[str, str]:
        """The header a browser sends once it has opened the printed address."""
        return {"Cookie": f"ticos_web_{self.port}={self.token}"}


def start_web(argv: list[str], port: int, env: dict[str, str], folder: Path) -> WebServer:
    """Start `argv` (a web server on `port`), read the address it prints, wait until it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    log, errors = folder / "web-stdout.txt", folder / "web-stderr.txt"
    with log.open("wb") as out, errors.open("wb") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
    deadline = time.monotonic() + 60
    while True:
        found = TOKEN_LINE.search(errors.read_text())
        if found:
            server = WebServer(found[1], port, process, found[2], log, errors)
            try:
                answer = httpx.get(f"{server.url}/?token={server.token}", timeout=2)
                if answer.status_code == 303:
                    return server
            except httpx.HTTPError:
                pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the web server did not start: {errors.read_text()!r}")
        time.sleep(0.1)  # polling the server until it listens


def stop(server: WebServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def web_env(isolated_env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """The test's environment, with one key named KEY_NAME in its embedded account."""
    assert main(["keys", "create", KEY_NAME]) == 0
    capsys.readouterr()
    return dict(os.environ)


@pytest.fixture
def web_server(web_env: dict[str, str], tmp_path: Path) -> Iterator[WebServer]:
    """The web mode, started through `ticos_tui.cli.web.serve_web` with its defaults but the port."""
    port = free_port()
    code = f"import sys; from ticos_tui.cli.web import serve_web; sys.exit(serve_web(port={port}))"
    server = start_web([sys.executable, "-c", code], port, web_env, tmp_path / "web")
    try:
        yield server
    finally:
        stop(server)


PROBE = Path(__file__).with_name("probe.py")


def descendants(pid: int) -> list[int]:
    """The processes under `pid`, from /proc (children of each of its threads), recursively."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return found + [grandchild for child in found for grandchild in descendants(child)]


@pytest.fixture
def probe_web(tmp_path: Path) -> Iterator[Callable[..., WebServer]]:
    """`start(...)`: a web server (ticos_tui.cli.web.build_server) whose sessions run tests/web/probe.py."""
    started: list[WebServer] = []

    def start(
        *,
        max_sessions: int = 4,
        header_timeout: float = 10.0,
        stubborn: bool = False,
        env: dict[str, str] | None = None,
    ) -> WebServer:
        port = free_port()
        argv = [sys.executable, str(PROBE), "serve", str(port), str(max_sessions)]
        argv += [str(header_timeout)] + (["--stubborn"] if stubborn else [])
        folder = tmp_path / f"probe-{len(started)}"
        started.append(start_web(argv, port, env or dict(os.environ), folder))
        return started[-1]

    yield start
    for server in started:
        stop(server)
