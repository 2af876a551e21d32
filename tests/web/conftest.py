"""Web fixtures: `ticos-tui web` (textual-serve) on a free loopback port, over an account with one key."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.client.fakeserver import free_port
from ticos_tui.cli import main

KEY_NAME = "web-visible-key"


@dataclass
class WebServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]


def start_web(argv: list[str], port: int, env: dict[str, str]) -> WebServer:
    """Start `argv` (a web server on `port`) and wait until its page answers."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return WebServer(url, port, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            raise RuntimeError(f"the web server did not start: {out!r} {err!r}")
        time.sleep(0.1)


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
def web_server(web_env: dict[str, str]) -> Iterator[WebServer]:
    """The web mode, started through `ticos_tui.cli.web.serve_web` with its defaults but the port."""
    port = free_port()
    code = f"import sys; from ticos_tui.cli.web import serve_web; sys.exit(serve_web(port={port}))"
    server = start_web([sys.executable, "-c", code], port, web_env)
    try:
        yield server
    finally:
        stop(server)
