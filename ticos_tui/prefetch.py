"""The keys fetched by a child process while the TUI imports Textual and paints, page by page.

Start-up is two chains of Python work: importing Textual and drawing the screen, and importing
httpx and the service and asking for the keys. One process runs them one after the other (the
GIL), however they are split into threads; a child forked before Textual is imported runs the
second on the other core. It pages through the keys with the same client as everything else
(`open_client`, httpx) and hands each page to the parent over a pipe as it comes; the parent
opens its own client, for everything else, once the first page is in and the screen drawn. Embedded mode only: a remote server would be asked twice, and a slow one
would make the user wait twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticos_tui.config import Settings
    from ticos_tui.models import ApiKey

FIRST_PAGE_SIZE = 100  # a screenful: drawn at once, the rest streams in after
PAGE_SIZE = 1000
_HEADER = 8  # each page goes as its length (8 bytes, big-endian), then its pickle; length 0 ends


class ChildFailed(Exception):
    """The child ended before its last page: the parent's own client loads the keys."""


class KeysAhead:
    """The child's pages of keys, in order, as they arrive."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._pipe = os.fdopen(fd, "rb")
        self._ended = False

    def next_page(self) -> list[ApiKey] | None:
        """Block for the next page (None after the last); call it from a thread, not the UI loop.

        Raises ChildFailed when the child ended before its last page.
        """
        if self._ended:
            return None
        try:
            header = self._pipe.read(_HEADER)
            size = int.from_bytes(header, "big") if len(header) == _HEADER else -1
            data = self._pipe.read(size) if size > 0 else b""
        except (OSError, ValueError) as err:
            self._end()
            raise ChildFailed(str(err)) from None
        if size == 0:
            self._end()
            return None
        if size < 0 or len(data) < size:
            self._end()
            raise ChildFailed("the child ended before its last page")
        # Only our own fork holds the other end of this pipe: as trusted as our memory.
        page: list[ApiKey] = pickle.loads(data)  # noqa: S301
        return page

    def _end(self) -> None:
        self._ended = True
        self._pipe.close()
        os.waitpid(self._pid, 0)

    def close(self) -> None:
        """The app is done: a child still fetching is ended, and reaped."""
        if self._ended:
            return
        self._ended = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGTERM)
        os.waitpid(self._pid, 0)
        self._pipe.close()


def start(settings: Settings) -> KeysAhead | None:
    """Fork a child that fetches the keys; None where that cannot help or work.

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
    return KeysAhead(pid, read_fd)


def _child(settings: Settings, fd: int) -> None:
    code = 1
    try:
        # Nothing of the child's may reach the terminal the TUI is drawing on.
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        import asyncio

        asyncio.run(_fetch(settings, fd))
        code = 0
    except BaseException:  # any failure (a closed pipe: the TUI has quit): the parent copes
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _send(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(_HEADER, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


async def _fetch(settings: Settings, fd: int) -> None:
    from ticos_tui.connect import open_client

    client = open_client(settings)
    try:
        async for page in client.iter_key_pages(
            page_size=PAGE_SIZE, first_page_size=FIRST_PAGE_SIZE
        ):
            _send(fd, pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL))
        _send(fd, b"")
    finally:
        await client.aclose()
