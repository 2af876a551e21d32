"""What a store raises beyond the driver's own errors (the handlers map them to answers)."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The store could not answer in time (locked, unreachable, closed): the caller answers 503."""


class StoreBusy(StoreUnavailable):
    """SQLite's lock was held by another connection and the call's busy timeout ran out."""


class KeyConflict(Exception):
    """The key's state forbids the change (roll of a revoked, expired or already-rolled key)."""


def driver_reason(exc: BaseException) -> str:
    """A database driver's message, on one line and short; never the URL (it may hold a password)."""
    return " ".join(str(exc).split())[:200] or type(exc).__name__
