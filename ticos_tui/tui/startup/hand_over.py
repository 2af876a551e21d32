"""The keys a child process fetched (`ticos_tui.tui.startup.prefetch`), handed to the UI page by page.

The first page is read as soon as the app starts, in a thread (the pipe read waits without
the GIL): by the time the keys pane composes it is usually in, and the pane puts it in the
table before the first frame is drawn. The next pages are read one at a time, as the pane asks.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from ticos_tui.tui.startup.prefetch import ChildFailed

if TYPE_CHECKING:
    from ticos_tui.core.models import ApiKey
    from ticos_tui.tui.startup.prefetch import KeysAhead

R = TypeVar("R")


def in_thread(work: Callable[[], R], name: str) -> Future[R]:
    """Run `work` in a daemon thread; its result or exception lands in the future.

    A daemon: a read still waiting never holds up the exit. The future is running from the
    start, so a cancelled wait for it never cancels the work or loses its result.
    """
    future: Future[R] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as err:  # handed to whoever awaits the future
            future.set_exception(err)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


class HandOver:
    """The child's pages, in order: `arrived()` takes one already here, `pages()` awaits the rest."""

    def __init__(self, ahead: KeysAhead) -> None:
        self._ahead = ahead
        self._reading: Future[list[ApiKey] | None] | None = None
        self.began = asyncio.Event()
        """The first page is in, or the child failed: its local account and token exist."""

    def start(self) -> None:
        """Start reading the next page, if no read is under way."""
        if self._reading is None:
            self._reading = in_thread(self._ahead.next_page, "ticos-ahead")

    def arrived(self) -> list[ApiKey] | None:
        """The next page if it is here already, taken; None when it is not (never waits).

        A failure, or the end, is left for `pages()` to report.
        """
        reading = self._reading
        if reading is None or not reading.done() or reading.exception() is not None:
            return None
        page = reading.result()
        if page is None:
            return None
        self._reading = None
        self.began.set()
        return page

    async def pages(self) -> AsyncIterator[list[ApiKey]]:
        """The pages not taken yet, as they arrive; raises `ChildFailed`."""
        try:
            while True:
                self.start()
                assert self._reading is not None
                try:
                    # Cancelled here (a new load took over), the read stays for the next ask.
                    page = await asyncio.wrap_future(self._reading)
                except ChildFailed:
                    self._reading = None
                    raise
                except Exception as err:  # e.g. a page that does not unpickle
                    self._reading = None
                    raise ChildFailed(str(err)) from None
                self._reading = None
                self.began.set()
                if page is None:
                    return
                yield page
        finally:
            self.began.set()
