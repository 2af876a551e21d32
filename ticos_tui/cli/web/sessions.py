"""One browser tab's TUI child: started without a shell, bounded in size, and really ended.

textual-serve starts each child through a shell, asks it to quit when its websocket closes and
then waits for it forever: a child that was busy (a 6000x3000 terminal is a 300 MB child) or
that ignored the request lived on. Here the child runs in a process group of its own; when its
socket closes it is asked to quit, then sent SIGTERM, then SIGKILL, each after a short wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
from typing import Any

from textual_serve.app_service import AppService

from ticos_tui.cli.web.guard import TOKEN_ENV

MAX_COLUMNS = 500  # wider than a 4K screen at a small font
MAX_ROWS = 200
QUIT_WAIT = 2.0  # seconds a child has to quit when asked, then to end after SIGTERM


def clamp_size(width: Any, height: Any) -> tuple[int, int] | None:
    """A terminal size a client may ask for, clamped to MAX_COLUMNS x MAX_ROWS; None if not numbers."""
    if not all(type(value) is int for value in (width, height)):
        return None
    return max(2, min(MAX_COLUMNS, width)), max(2, min(MAX_ROWS, height))


def query_size(query: Any) -> tuple[int, int]:
    """The websocket's ?width=&height= (80x24 when missing or not numbers), clamped."""

    def number(name: str, default: int) -> int:
        text = query.get(name, "")
        return int(text) if text.isascii() and text.isdigit() and len(text) < 9 else default

    size = clamp_size(number("width", 80), number("height", 24))
    assert size is not None
    return size


def parse_frame(text: str) -> tuple[str, Any] | None:
    """A browser frame as (kind, data), sizes clamped; None when it is not one textual-serve's
    page sends (bad JSON, `["stdin", 5]`, `["resize", {"width": "x"}]` ...)."""
    try:
        envelope = json.loads(text)
    except ValueError:
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin":
        return (kind, data) if isinstance(data, str) else None
    if kind == "resize":
        size = clamp_size(data.get("width"), data.get("height")) if isinstance(data, dict) else None
        return (kind, size) if size is not None else None
    if kind == "ping":
        return (kind, data)
    if kind in ("blur", "focus"):
        return (kind, None)
    return None


async def _ended(process: asyncio.subprocess.Process, wait: float) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), wait)
    except TimeoutError:
        return False
    return True


class Session(AppService):
    """textual-serve's AppService, with the child started and stopped as described above."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        environment.pop(TOKEN_ENV, None)
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group: signals reach what it starts, too
        )
        self._stdin = process.stdin
        return process

    def _signal(self, number: int) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, number)

    async def stop(self) -> None:
        """Ask the child to quit; SIGTERM, then SIGKILL, its group if it does not. It is gone
        (and reaped) when this returns."""
        process, task = self._process, self._task
        if process is None:
            return
        self._task = None
        if task is not None:
            with contextlib.suppress(Exception):
                await self._download_manager.cancel_app_downloads(
                    app_service_id=self.app_service_id
                )
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_WAIT)
        for number in (signal.SIGTERM, signal.SIGKILL):
            if await _ended(process, QUIT_WAIT):
                break
            self._signal(number)
        await process.wait()
        if task is not None:
            with contextlib.suppress(Exception):
                await task
