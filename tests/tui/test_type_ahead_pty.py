"""A fast typist's burst, written to a real terminal in one go, reaches the dialog the first key opens."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.tui.helpers import server_keys
from ticos_tui.settings.config import Settings

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """The app on a 120x35 pseudo-terminal; reads what it draws, writes what a person types."""

    def __init__(self) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 35, 120, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT))
        env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ticos_tui"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        """Read the screen until `text` has been drawn (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0 and self.proc.poll() is None, f"{text!r} never drawn"
            readable, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if readable:
                try:
                    self.seen += os.read(self.master, 1 << 16)
                except OSError:
                    break

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())  # one write: the app reads it as one burst

    def close(self) -> int:
        try:
            self.type("\x11")  # ctrl+q
            deadline = time.monotonic() + 30
            while self.proc.poll() is None and time.monotonic() < deadline:
                if select.select([self.master], [], [], 0.2)[0]:
                    try:
                        os.read(self.master, 1 << 16)
                    except OSError:
                        break
            if self.proc.poll() is None:
                self.proc.kill()
            return self.proc.wait()
        finally:
            os.close(self.master)


async def test_a_burst_on_a_real_terminal_names_the_new_key(settings: Settings) -> None:
    terminal = Terminal()
    try:
        terminal.wait_for("You have no API keys yet")
        terminal.type("nFast typed name\r")
        terminal.wait_for("API key created")
    finally:
        terminal.close()
    names = [name for name, _status in (await server_keys(settings)).values()]
    assert names == ["Fast typed name"]
