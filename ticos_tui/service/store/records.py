"""What every store shares: the contract's time format, ids, the ApiKey object and the errors."""

from __future__ import annotations

import calendar
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ticos_tui.core.keyformat import BASE62

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DAY = 86_400
FLUSH_INTERVAL = 1.0  # seconds between writes of coalesced key uses
WRITE_TIMEOUT = 5.0  # seconds a store call may wait (a lock, a connection) before giving up


class StoreUnavailable(Exception):
    """The store could not answer in time (locked, unreachable, closed): the caller answers 503."""


class KeyConflict(Exception):
    """The key's state forbids the change (roll of a revoked, expired or already-rolled key)."""


@dataclass(frozen=True, slots=True)
class KeyAuth:
    """What an API-key lookup by hash found (the hot path of verify and of key-authenticated calls)."""

    id: str
    account_id: str
    scopes: list[str]
    expires_at: str | None
    revoked_at: str | None
    deleted: bool


def format_ts(ts: float) -> str:
    """Epoch seconds as the contract's RFC 3339 UTC form (stored this way, so reads never format)."""
    return time.strftime(TIME_FORMAT, time.gmtime(int(ts)))


def parse_ts(text: str) -> int:
    """The contract's `...Z` time (as stored) as epoch seconds."""
    return calendar.timegm(time.strptime(text, TIME_FORMAT))


def new_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(BASE62) for _ in range(20))


def usage_days(ts: float, days: int) -> list[str]:
    """The UTC dates of the last `days` days up to `ts`, oldest first."""
    wanted = [time.strftime("%Y-%m-%d", time.gmtime(int(ts) - DAY * i)) for i in range(days)]
    wanted.reverse()
    return wanted


def rolled_expiry(
    ts: float, created_at: str, old_expires: str | None, expires_at: str | None, keep: bool
) -> str | None:
    """The expiry of a rolled key: `expires_at`, or with `keep` the old key's lifetime from `ts`."""
    if not keep:
        return expires_at
    if old_expires is None:
        return None
    return format_ts(ts + parse_ts(old_expires) - parse_ts(created_at))


def roll_refusal(
    revoked_at: str | None, expires_at: str | None, rolled_to: str | None, now: str
) -> str | None:
    """Why a key cannot be rolled (the `KeyConflict` reason), or None when it can."""
    if rolled_to is not None:
        return "already rolled"
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return None


class Clock:
    """The wall clock as the contract's text, memoised per second (verify asks on every request)."""

    def __init__(self, clock: Any = time.time) -> None:
        self.clock = clock
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(self.clock())
        if second != self._second:
            self._second, self._text = second, format_ts(second)
        return self._text


def key_json(
    row: Sequence[Any], scopes: list[str], now: str, used: dict[str, str] | None = None
) -> dict[str, Any]:
    """The ApiKey object of a row (id, name, snippet, -, created, last used, expires, revoked).

    `scopes` is the row's scopes already parsed; `used`: last uses not written yet, by key id.
    """
    key_id, name, snip, _, created_at, last_used_at, expires_at, revoked_at = row
    if used:
        pending = used.get(key_id)
        if pending is not None and (last_used_at is None or pending > last_used_at):
            last_used_at = pending
    if revoked_at is not None:
        status = "revoked"
    elif expires_at is not None and expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return {
        "id": key_id,
        "name": name,
        "snippet": snip,
        "status": status,
        "scopes": scopes,
        "created_at": created_at,
        "last_used_at": last_used_at,
        "expires_at": expires_at,
        "revoked_at": revoked_at,
    }


def key_list_filter(
    account_id: str, status: str, before_seq: int | None, now: str, *, mark: str, live: str
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters for a page of keys (both stores' one list rule).

    `mark` is the driver's placeholder (`?` or `%s`); `live` the store's "not deleted" test.
    Status is derived as in `key_json`: revoked first, then expired by the clock.
    """
    where = f"account_id = {mark} AND {live}"
    params: list[Any] = [account_id]
    if before_seq is not None:
        where += f" AND seq < {mark}"
        params.append(before_seq)
    if status == "active":
        where += f" AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {mark})"
        params.append(now)
    elif status == "revoked":
        where += " AND revoked_at IS NOT NULL"
    elif status == "expired":
        where += f" AND revoked_at IS NULL AND expires_at <= {mark}"
        params.append(now)
    return where, params
