"""The store the service runs on, as the handlers, auth, the verify fast path and bootstrap see it.

Two implementations: `SqliteStore` (sqlite_async.py, the embedded default: the blocking SQLite
store on worker threads) and `PgStore` (pg_store.py: PostgreSQL through a psycopg pool, for
several instances over one database). Every method that touches the database is a coroutine and
raises `StoreUnavailable` when the store cannot answer in time (the app answers 503 with
`Retry-After`); nothing else it raises is expected. Times are the contract's text
(`2026-11-26T20:12:53Z`); an unknown id, or one of another account, is None.
"""

from __future__ import annotations

from typing import Protocol

from ticos_tui.service.audit import Actor, EventObject, EventQuery
from ticos_tui.service.store.rolls import NewKey, Roll
from ticos_tui.service.store.rows import (
    AccountSummary,
    KeyAuth,
    KeyObject,
    SessionSummary,
    UsageObject,
)


class FailureLimiter(Protocol):
    """Failed attempts per client in windows; past the limit the client gets 429."""

    async def check(self, client: str) -> None:
        """Raises (without counting anything):
        ApiProblem: 429 with `Retry-After` when `client` is over the limit.
        StoreUnavailable: the shared counts could not be read.
        """

    async def failed(
        self, client: str, account_id: str | None = None, key_id: str | None = None
    ) -> None:
        """Count one failure of `client`, checked against the limit in the same atomic step
        (one statement on a shared store), so the limit holds under concurrency.

        The failure that reaches the limit writes `auth.throttled` (`account_id` / `key_id`:
        the credential's owner, when known) with its count: in one transaction on a shared
        store; in memory, the count is taken back when the event cannot be written. No count
        reaches the limit without its event.

        Raises:
            ApiProblem: 429 with `Retry-After` when this failure is past the limit.
            StoreUnavailable: the shared counts could not be written.
        """


class Store(Protocol):
    """Accounts, session tokens, keys, coalesced usage and failure counts."""

    @property
    def write_timeout(self) -> float:
        """Seconds a call waits for the store before StoreUnavailable."""

    def now(self) -> str:
        """The store's clock now, in the contract's time format (no I/O)."""

    def clock(self) -> float:
        """The store's clock now, in epoch seconds (no I/O; tests move it)."""

    async def ping(self) -> None:
        """Ask the database a question (readiness).

        Raises:
            StoreUnavailable: it did not answer within `write_timeout`.
        """

    async def close(self) -> None:
        """Write the uses counted so far and release connections (a later call reopens them).

        Raises:
            StoreUnavailable: the uses could not be written; they stay counted in memory.
        """

    def failure_limiter(self, kind: str, limit: int, window: float) -> FailureLimiter:
        """A limiter for failures of `kind` (`auth`, `verify`): `limit` failures per `window` s.

        Counts are shared by every instance on a shared store, per instance otherwise.
        """

    # -- accounts and session tokens

    async def create_account(self, name: str, email: str, *, local: bool = False) -> str:
        """Add an account; returns its id. `local`: the embedded local account."""

    async def local_account(self) -> str | None:
        """The id of the embedded local account, if there is one."""

    async def account(self, account_id: str) -> dict[str, str] | None:
        """Returns: `{"id", "name", "email", "created_at"}`, or None."""

    async def issue_session_token(
        self, account_id: str, *, revoke_others: bool = False, client: str | None = None
    ) -> str:
        """A new session token for the account (only its hash is stored); returns the token.

        Writes `session.created` (and `session.ended` for each token it ends) with it.

        Args:
            revoke_others: end the account's earlier tokens in the same transaction.
            client: where the request for it came from, if over HTTP.
        """

    async def end_session(self, token_hash: str, client: str | None = None) -> None:
        """Revoke the session token with this SHA-256: every instance refuses it from now on.

        Writes `session.ended` in the same transaction.
        """

    async def accounts(self) -> list[AccountSummary]:
        """Every account, oldest first, with its key and live-session counts (the operator's)."""

    async def sessions(self, account_id: str) -> list[SessionSummary]:
        """The account's live sessions, oldest first: `ses_` ids, never tokens."""

    async def end_session_by_id(self, account_id: str, session_id: str, reason: str) -> bool:
        """End the account's session `session_id` (False: it has none by that id), writing
        `session.ended` with `reason` in the same transaction."""

    async def account_for_token_hash(self, token_hash: str) -> str | None:
        """The account of a live session token, by its hash."""

    # -- keys

    async def key_by_hash(self, key_hash: str) -> KeyAuth | None:
        """The key with this SHA-256, revoked or not, read from the database on every call."""

    async def create_key(
        self, account_id: str, new: NewKey, actor: Actor | None = None
    ) -> tuple[KeyObject, str]:
        """Returns: the new ApiKey object and the full key (shown once, never stored).

        Every change below writes its audit event (by `actor`) in the change's transaction.
        """

    async def key_scopes(self, account_id: str, key_id: str) -> list[str] | None:
        """The scopes of one of the account's keys (the escalation check)."""

    async def get_key(self, account_id: str, key_id: str) -> KeyObject | None:
        """Returns: the ApiKey object (with this instance's unwritten last use), or None."""

    async def list_keys(
        self, account_id: str, status: str, limit: int, before_seq: int | None
    ) -> tuple[list[KeyObject], int | None]:
        """A page of ApiKey objects newest first.

        Args:
            status: `active`, `revoked`, `expired` or `all`.
            before_seq: only keys strictly older than this position (a cursor); None: newest.
        Returns:
            The page and the position to pass for the next one (None: this was the last).
        """

    async def rename_key(
        self, account_id: str, key_id: str, name: str, actor: Actor | None = None
    ) -> KeyObject | None:
        """Returns: the renamed ApiKey object, or None."""

    async def revoke_key(
        self, account_id: str, key_id: str, *, delete: bool = False, actor: Actor | None = None
    ) -> KeyObject | None:
        """Revoke (idempotent: the first revocation time stays); `delete` also hides it.

        A revoke of a revoked key changes nothing and writes no event.

        Returns: the ApiKey object (a deleted key's as it was deleted), or None for an unknown key.
        """

    async def roll_key(
        self, account_id: str, key_id: str, roll: Roll, actor: Actor | None = None
    ) -> tuple[KeyObject, str] | None:
        """A new key with the old one's name and scopes; the old one expires after the grace.

        The new key's `replaces` is the old one, the old one's `replaced_by` the new one.

        Atomic: of concurrent rolls of one key, on any instances, exactly one succeeds.

        `roll`: the old key's grace and the new key's expiry (`rolls.Roll`).

        Returns:
            The new ApiKey object and its full key, or None for an unknown key.
        Raises:
            KeyConflict: the key is revoked, expired or already rolled (its reason).
        """

    # -- usage

    def record_use(self, key_id: str) -> None:
        """Count one use of a key in memory (no I/O; written by a later flush)."""

    def flush_soon(self) -> None:
        """Start writing the counted uses if they are due; never waits (the hot path calls it)."""

    async def flush_uses(self) -> None:
        """Write the counted uses now, adding them to what the database holds.

        Raises:
            StoreUnavailable: they were not written; they stay counted for the next flush.
        """

    async def usage(self, account_id: str, key_id: str, days: int) -> list[UsageObject] | None:
        """Requests per UTC day for the last `days` days, oldest first, zeros included.

        Returns: `[{"date", "requests"}, …]` (the database plus this instance's unwritten
        counts), or None for an unknown key.
        """

    # -- the audit log

    async def record_throttled(
        self, client: str, kind: str, account_id: str | None = None, key_id: str | None = None
    ) -> None:
        """Write `auth.throttled`: `client` passed the failure limit of `kind` (`auth`, `verify`).

        `account_id` / `key_id`: the account and key of the credential that failed, when known
        (an account sees only its own events; one with no account only the operator sees).
        """

    async def list_events(
        self, account_id: str, query: EventQuery
    ) -> tuple[list[EventObject], int | None]:
        """A page of the account's Event objects newest first (filters: None for any).

        Args:
            since: only events at or after this time (the contract's format).
            before_seq: only events strictly older than this position (a cursor).
        Returns:
            The page and the position to pass for the next one (None: this was the last).
        """

    async def prune_events(self, before: str) -> int:
        """Remove events older than `before` (the operator's retention); returns how many."""
