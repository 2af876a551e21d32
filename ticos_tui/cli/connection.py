"""What every command that talks to a server shares: its settings, a client, and asking before harm."""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ticos_tui.cli.args import DEFAULT_TIMEOUT
from ticos_tui.core.errors import UsageError
from ticos_tui.core.sanitize import visible
from ticos_tui.settings.config import Settings, resolve_settings

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient

T = TypeVar("T")


def settings(args: argparse.Namespace) -> Settings:
    """The settings for `--base-url` and `--data-dir` as given (else environment, config.toml),
    or for the stored login `--login NAME`."""
    if getattr(args, "login", None):
        from ticos_tui.settings.logins import find_login, settings_for

        return settings_for(find_login(args.login), getattr(args, "data_dir", None))
    return resolve_settings(
        base_url=getattr(args, "base_url", None), data_dir=getattr(args, "data_dir", None)
    )


def with_client(
    args: argparse.Namespace, action: Callable[[TicosClient, Settings], Awaitable[T]]
) -> T:
    """Resolve the settings, open a client, run `action` on it and close it."""
    # asyncio and the client (httpx, maybe the service) load here, not for `--help`.
    import asyncio

    from ticos_tui.wiring import open_client

    resolved = settings(args)
    client = open_client(resolved, timeout=getattr(args, "timeout", DEFAULT_TIMEOUT))

    async def run() -> T:
        async with client:
            return await action(client, resolved)

    return asyncio.run(run())


def require_confirmation(args: argparse.Namespace, verb: str, alternative: str = "") -> None:
    """Refuse early (before any request) when a destructive command can't ask and has no --yes."""
    if not args.yes and not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {verb} without confirmation: stdin is not a terminal; "
            f"pass --yes to {verb} anyway{f' ({alternative})' if alternative else ''}"
        )


def ask(question: str) -> bool:
    """Ask a yes/no `question` on stderr; only "y" or "yes" is a yes (end of input is a no).

    Ctrl-C raises KeyboardInterrupt at once (exit 130). The prompt is read inside
    `asyncio.run`, whose own SIGINT handler would only cancel the task on the first ^C,
    leave `input()` waiting, and take the next line as the answer: Python's default
    handler is put back while the question is on screen (from before it is shown).
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        print(visible(question) + " [y/N] ", end="", file=sys.stderr, flush=True)
        answer = _line_or_signal()
    except EOFError:
        return False
    finally:
        signal.signal(signal.SIGINT, previous)
    return answer.strip().lower() in ("y", "yes")


def _line_or_signal() -> str:
    """A line of stdin, waited for so that a signal ends the wait whichever thread gets it.

    A ^C is delivered to any thread of the process: one of the client's or the embedded
    service's threads took it in 2 of 3 runs on a busy machine, and the main thread stayed
    blocked in `input()` (its handler runs only when that thread next runs Python code). The
    signal's wakeup fd wakes this `select` from any thread, and the handler then raises here.
    """
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    old_wakeup = signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    try:
        while True:
            ready, _, _ = select.select([sys.stdin, wake_read], [], [])
            if sys.stdin in ready:
                line = sys.stdin.readline()
                if not line:
                    raise EOFError
                return line
            os.read(wake_read, 512)  # a signal other than ^C (its handler has run): wait on
    finally:
        signal.set_wakeup_fd(old_wakeup)
        os.close(wake_read)
        os.close(wake_write)
