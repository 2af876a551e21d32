"""The first page of keys fetched by a child process while the TUI imports Textual and paints.

Start-up is two chains of Python work: importing Textual and drawing the screen, and importing
httpx and the service and asking for the keys. One process runs them one after the other (the
GIL), however they are split into threads; a child forked before Textual is imported runs the
second on the other core. It fetches the first page through the same client as everything else
(`open_client`, httpx) and hands the keys to the parent over a pipe; the parent then opens its own
client for the rest. Embedded mode only: a remote server would be asked twice, and a slow one
would make the user wait twice.
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticos_tui.config import Settings
    from ticos_tui.models import ApiKey

FIRST_PAGE_SIZE = 100  # a screenful: drawn at once, the rest streams in after


class FirstPage:
    """The child's answer: `wait()` returns its keys, or None when it failed (the parent asks itself)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd
        self._keys: list[ApiKey] | None = None
        self._done = False

    def wait(self) -> list[ApiKey] | None:
        """Block until the child has answered (or ended); call it from a thread, not the UI loop."""
        if self._done:
            return self._keys
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            _, status = os.waitpid(self._pid, 0)
            self._done = True
        if os.waitstatus_to_exitcode(status) == 0 and chunks:
            # Only our own fork holds the other end of this pipe: as trusted as our memory.
            self._keys = pickle.loads(b"".join(chunks))  # noqa: S301
        return self._keys


def start(settings: Settings) -> FirstPage | None:
    """Fork a child that fetches the first page of keys; None where that cannot help or work.

    Call it before anything starts a thread (forking a threaded process is unsafe).
    """
    if settings.mode != "embedded" or not hasattr(os, "fork"):
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(settings, write_fd)
    os.close(write_fd)
    return FirstPage(pid, read_fd)


def _child(settings: Settings, fd: int) -> None:
    code = 1
    try:
        # Nothing of the child's may reach the terminal the TUI is drawing on.
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        import asyncio

        keys = asyncio.run(_fetch(settings))
        data = pickle.dumps(keys, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    except BaseException:  # any failure: the parent fetches the page itself
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


async def _fetch(settings: Settings) -> list[ApiKey]:
    from ticos_tui.connect import open_client

    client = open_client(settings)
    try:
        return (await client.list_keys_page(limit=FIRST_PAGE_SIZE)).keys
    finally:
        await client.aclose()
