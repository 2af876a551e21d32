"""Helpers shared by the TUI benchmarks: a seeded data folder, a pseudo-terminal runner, medians, tables."""

from __future__ import annotations

import fcntl
import os
import platform
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

KEY_NAME_PREFIX = "bench key "
COLUMNS, LINES = 120, 35
READY_PREFIX = "BENCH_READY"  # benchmarks/ready_app.py writes "BENCH_READY <what> <perf_counter>"
_READY_LINE = re.compile(READY_PREFIX.encode() + rb" (\w+) ([0-9.]+)")


def seed_data_dir(data_dir: Path, count: int) -> None:
    """The local account of `data_dir` with `count` keys named `bench key <i>`, in one transaction.

    The rows are written as the service writes them (`tests.seeding`), in one transaction.
    """
    from tests.seeding import seed_sqlite
    from ticos_tui.service.bootstrap import local_session_token
    from ticos_tui.service.store.sqlite import Store

    local_session_token(data_dir)
    store = Store(data_dir)
    try:
        account = store.local_account()
        assert account is not None
    finally:
        store.close()
    seed_sqlite(data_dir, account, [f"{KEY_NAME_PREFIX}{i}" for i in range(count)])


def isolated_env(tmp: Path, data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child: its own config and data folders, no TICOS_* of the developer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICOS_")}
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(LINES),
        TICOS_CONFIG_DIR=str(tmp / "config"),
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        XDG_DATA_HOME=str(tmp / "xdg-data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.pop("TEXTUAL", None)  # no devtools
    # As installed (pip compiles bytecode): a development shell's PYTHONDONTWRITEBYTECODE would
    # have every run compile this package from source (~0.1 s) while Textual's bytecode is
    # read. Bytecode goes to the run's own folder (written by the warm-up runs), not the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    if data_dir is not None:
        env["TICOS_HOME"] = str(data_dir)
    env.update(extra)
    return env


@dataclass(frozen=True)
class PtyRun:
    """One whole-process run on a pseudo-terminal; times are seconds since just before exec."""

    seen: dict[bytes, float]  # when each marker's bytes reached the terminal (read from the master)
    ready: (
        float | None
    )  # the ready app's READY line (benchmarks/ready_app.py), if it reached the terminal
    exited: float  # the process was reaped
    max_rss_mb: float  # the child's peak RSS
    returncode: int
    output: bytes


def _set_size(fd: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))


def _become_tty_owner() -> None:
    # Runs in the child after fds 0-2 are the slave: a session of its own, with it as the terminal.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_in_pty(
    argv: Sequence[str],
    env: Mapping[str, str],
    markers: Sequence[bytes],
    *,
    hang_up_when_seen: bool = False,
    timeout: float = 60.0,
) -> PtyRun:
    """Run `argv` on a 120x35 pseudo-terminal, draining its output so it never blocks.

    `seen[marker]` is when `marker` first appears in what the child wrote to the terminal, timed
    on our side of the pty: the moment those bytes could be on a user's screen. With
    `hang_up_when_seen`, the child gets SIGHUP (as when its terminal closes) once every marker
    has been seen.
    """
    master, proc, started = _spawn_on_pty(argv, env)
    chunks: list[bytes] = []
    tail = b""
    seen: dict[bytes, float] = {}
    overlap = max((len(m) for m in markers), default=1)
    hung_up = False
    deadline = started + timeout
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                proc.kill()
                raise TimeoutError(f"{argv[0]} did not finish in {timeout:.0f} s")
            readable, _, _ = select.select([master], [], [], min(remaining, 0.5))
            if not readable:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: every slave fd is closed, the child is gone
                break
            if not data:
                break
            if len(seen) < len(markers):
                now = time.perf_counter() - started
                window = tail + data
                for marker in markers:
                    if marker not in seen and marker in window:
                        seen[marker] = now
                tail = window[-overlap:]
                if hang_up_when_seen and not hung_up and len(seen) == len(markers):
                    os.kill(proc.pid, signal.SIGHUP)  # not reaped yet: the pid is still ours
                    hung_up = True
            chunks.append(data)
        _, status, usage = os.wait4(proc.pid, 0)
        exited = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if hung_up:
            proc.returncode = 0  # it was stopped by us, after drawing everything asked for
    finally:
        os.close(master)
    output = b"".join(chunks)
    ready = None
    match = _READY_LINE.search(output)
    if match:
        ready = float(match.group(2)) - started  # perf_counter is system-wide monotonic on Linux
    return PtyRun(seen, ready, exited, usage.ru_maxrss / 1024, proc.returncode, output)


def run_plain(argv: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    """Wall time of a whole process without a terminal."""
    started = time.perf_counter()
    subprocess.run(
        list(argv),
        env=None if env is None else dict(env),
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def median_of(fn: Callable[[], float], runs: int, *, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    return statistics.median(fn() for _ in range(runs))


def machine() -> str:
    """One line: CPUs, CPU model, Python and Textual versions, date."""
    from importlib.metadata import version

    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"Textual {version('textual')}, {time.strftime('%Y-%m-%d %H:%M')}"
    )


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else f"MISSED by {value - limit:.3g}"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(title)
    for r in [header, *rows]:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    print()


def _spawn_on_pty(
    argv: Sequence[str], env: Mapping[str, str]
) -> tuple[int, subprocess.Popen[bytes], float]:
    """Start `argv` with a 120x35 pseudo-terminal as its terminal: (master fd, process, start time)."""
    master, slave = os.openpty()
    _set_size(slave)
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(env),
        close_fds=True,
        preexec_fn=_become_tty_owner,  # no threads in this process: safe
    )
    os.close(slave)
    return master, proc, started


def python() -> str:
    return sys.executable


class PtySession:
    """An interactive child on a 120x35 pseudo-terminal: send keys, time until bytes show up."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self._master, self.proc, self.started = _spawn_on_pty(argv, env)
        self._pending = b""  # output not yet matched by a wait

    def send(self, data: bytes) -> float:
        """Write `data` as typed keys; returns the time it was written."""
        self._pending = b""  # only what is drawn from now on counts
        os.write(self._master, data)
        return time.perf_counter()

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Block until `marker` is in the output since the last `send`; returns that moment."""
        deadline = time.perf_counter() + timeout
        while marker not in self._pending:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{marker!r} not drawn within {timeout:.0f} s")
            readable, _, _ = select.select([self._master], [], [], remaining)
            if readable:
                try:
                    data = os.read(self._master, 1 << 16)
                except OSError:
                    data = b""
                if not data:
                    raise RuntimeError(f"the child ended before drawing {marker!r}")
                self._pending += data
        found = time.perf_counter()
        self._pending = self._pending[self._pending.index(marker) + len(marker) :]
        return found

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Read and drop output until none has come for `quiet` seconds: the screen is settled."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            readable, _, _ = select.select([self._master], [], [], quiet)
            if not readable:
                break
            try:
                if not os.read(self._master, 1 << 16):
                    raise RuntimeError("the child ended while settling")
            except OSError:
                raise RuntimeError("the child ended while settling") from None
        else:
            raise TimeoutError(f"the screen did not go quiet for {quiet} s within {timeout:.0f} s")
        self._pending = b""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP)
        try:
            while select.select([self._master], [], [], 1.0)[0] and os.read(self._master, 1 << 16):
                pass
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self._master)
