"""CLI fixtures: an in-process runner, and a real `ticos-tui serve` on a free loopback port."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.client.fakeserver import free_port
from ticos_tui.cli import main

SCRIPT = Path(sys.executable).with_name("ticos-tui")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


class FakeTty(io.TextIOWrapper):
    """stdin as a terminal that a person answers with `text`: a real file (a pipe holding the
    text), so the prompt can wait on it with select, as it does on a terminal."""

    def __init__(self, text: str) -> None:
        read_end, write_end = os.pipe()
        os.write(write_end, text.encode())
        os.close(write_end)
        super().__init__(io.FileIO(read_end, "r"), encoding="utf-8")

    def isatty(self) -> bool:
        return True


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `main(argv)` in-process; stdin is `stdin` text (not a TTY) unless `tty=True`."""

    def run(*argv: str, stdin: str = "", tty: bool = False) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", FakeTty(stdin) if tty else io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_script(*argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """Run the installed `ticos-tui` console script as a separate process."""
    proc = subprocess.run(
        [str(SCRIPT), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class Served:
    url: str
    data_dir: Path


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`ticos-tui serve` as a subprocess, shared by the session (each test makes its own account)."""
    data_dir = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICOS_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    proc = subprocess.Popen(
        [str(SCRIPT), "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError(f"ticos-tui serve did not start: {out!r} {err!r}")
        time.sleep(0.1)
    try:
        yield Served(url, data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def account_token(served: Served) -> str:
    """A fresh account on the served service; its session token."""
    from ticos_tui.service.bootstrap import create_account

    # One account per test on the shared instance: an email is one account's (`tess.…`).
    _, token = create_account(
        served.data_dir, "Tess Tester", f"tess.{uuid.uuid4().hex[:8]}@example.com"
    )
    return token
