"""StoreCalls: the way to call the blocking SQLite Store from async code, off the event loop.

Reads run on a few threads, each with its own SQLite connection (WAL: they go on while a writer
waits for a lock); writes queue on one thread, since SQLite takes one writer at a time anyway,
and each gets a deadline counted from when it was asked for, so a queue behind a locked store
answers in bounded time. The embedded TUI mounts the app in-process, so this also keeps the
TUI's own event loop free while keys load.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from ticos_tui.service.store.errors import StoreUnavailable
from ticos_tui.service.store.sqlite import Store

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

READ_THREADS = 4


class StoreCalls:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._reads = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ticos-store-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="ticos-store-write")
        self._flushing: Future[None] | None = None

    async def read(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self._reads.submit(fn, *args, **kwargs))

    async def write(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self._submit_write(fn, *args, **kwargs))

    def _submit_write(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        store = self.store
        timeout = store.write_timeout

        def run() -> T:
            with store.deadline(timeout):
                return fn(*args, **kwargs)

        return self._writes.submit(run)

    def flush_soon(self) -> None:
        """Start writing coalesced uses if they are due; never waits (safe on the hot path)."""
        if not self.store.flush_due() or (self._flushing is not None and not self._flushing.done()):
            return
        self._flushing = self._submit_write(self.store.flush_uses)
        self._flushing.add_done_callback(_log_failed_flush)

    def shutdown(self) -> None:
        self._reads.shutdown(wait=False)
        self._writes.shutdown(wait=False)


def _log_failed_flush(done: Future[None]) -> None:
    exc = done.exception()
    if isinstance(exc, StoreUnavailable):
        log.warning("key uses not written yet, kept for the next flush: %s", exc)
    elif exc is not None:
        log.error("writing key uses failed; kept for the next flush", exc_info=exc)
