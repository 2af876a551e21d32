"""Ctrl-C at a CLI confirmation prompt, typed on a real terminal, ends the command at once (exit 130)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import termios
import time

import pytest

from .conftest import SCRIPT, run_script


class Prompted:
    """`ticos-tui ARGS` with a pseudo-terminal as its controlling terminal (so ^C is a SIGINT)."""

    def __init__(self, *argv: str) -> None:
        master, slave = pty.openpty()

        def take_terminal() -> None:  # the new session's controlling terminal: stdin
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [str(SCRIPT), *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=take_terminal,
        )
        os.close(slave)
        self.master = master
        self.seen = b""

    def read_until(self, text: str, timeout: float = 60.0) -> None:
        """Read what the command writes until `text` appears."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0 and self._read(left), f"{text!r} never written; saw {self.seen!r}"

    def exit_code(self, timeout: float = 20.0) -> int:
        """Read until the command exits (its end of the terminal closes); its exit code."""
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            assert time.monotonic() < deadline, f"still running; saw {self.seen!r}"
        return self.proc.wait(timeout=max(deadline - time.monotonic(), 1))

    def _read(self, left: float) -> bool:
        """Read what is there within `left` seconds; False once the command's side is closed."""
        if select.select([self.master], [], [], max(min(left, 0.2), 0))[0]:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                return False
            self.seen += chunk
            return bool(chunk)
        return True

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        os.close(self.master)


@pytest.mark.parametrize("command", [["revoke"], ["delete"], ["roll"]])
def test_ctrl_c_at_the_prompt_exits_130_at_once(command: list[str]) -> None:
    created = run_script("keys", "create", "Prompted key")
    assert created.code == 0, created
    prompt = Prompted("keys", *command, "Prompted key")
    try:
        prompt.read_until("[y/N] ")
        os.write(prompt.master, b"\x03")  # the terminal's interrupt character: SIGINT
        # The old code swallowed the first ^C and took the next line as the answer:
        # it would still be waiting here (then "y" would have gone ahead).
        assert prompt.exit_code() == 130, prompt.seen
        assert b"Traceback" not in prompt.seen
    finally:
        prompt.close()
    listed = run_script("keys", "get", "Prompted key", "--json")
    assert listed.code == 0 and '"status": "active"' in listed.out, listed
