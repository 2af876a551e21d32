"""Without a terminal the TUI refuses at once; a TUI whose terminal goes away ends promptly."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tui.test_type_ahead_pty import Terminal

ROOT = Path(__file__).resolve().parents[2]
PROMPTLY = 20.0  # seconds: a deadline for the exit we wait for, not a measured time


def _run(stdin: int | None, stdout: int | None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TEXTUAL", None)
    return subprocess.run(
        [sys.executable, "-m", "ticos_tui"],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        timeout=PROMPTLY,
        check=False,
    )


@pytest.mark.usefixtures("settings")
@pytest.mark.parametrize("stdin", ["devnull", "pipe"])
def test_without_a_terminal_the_tui_refuses_with_one_line(stdin: str) -> None:
    done = _run(subprocess.DEVNULL if stdin == "devnull" else subprocess.PIPE, subprocess.PIPE)
    assert done.returncode == 2
    assert done.stdout == b""  # nothing drawn to the pipe
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert "terminal" in lines[0]
    assert "ticos-tui keys" in lines[0]


def _exits(terminal: Terminal) -> int | None:
    """Wait (reading what it draws) until the app has exited; its status, or None if it never did."""
    deadline = time.monotonic() + PROMPTLY
    while terminal.proc.poll() is None and time.monotonic() < deadline:
        try:
            if select.select([terminal.master], [], [], 0.2)[0]:
                os.read(terminal.master, 1 << 16)
        except OSError:
            time.sleep(0.05)  # the terminal is gone: nothing to read, only the exit to wait for
    return terminal.proc.poll()


@pytest.mark.usefixtures("settings")
def test_a_hangup_ends_the_tui_promptly() -> None:
    terminal = Terminal()
    try:
        terminal.wait_for("You have no API keys yet")
        terminal.proc.send_signal(signal.SIGHUP)
        assert _exits(terminal) is not None
    finally:
        terminal.close()


@pytest.mark.usefixtures("settings")
def test_a_terminal_that_goes_away_ends_the_tui_promptly() -> None:
    terminal = Terminal()
    terminal.wait_for("You have no API keys yet")
    os.close(terminal.master)  # the terminal window closes: reads on its side end (EOF / EIO)
    try:
        deadline = time.monotonic() + PROMPTLY
        while terminal.proc.poll() is None and time.monotonic() < deadline:
            try:
                terminal.proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        assert terminal.proc.poll() is not None, "the TUI kept running without its terminal"
    finally:
        if terminal.proc.poll() is None:
            terminal.proc.kill()
        terminal.proc.wait()
