"""Rows to the contract's shapes: an API-key lookup's record and the ApiKey JSON object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar


@dataclass(frozen=True, slots=True)
class KeyAuth:
    """What an API-key lookup by hash found (the hot path of verify and of key-authenticated calls)."""

    id: str
    account_id: str
    scopes: list[str]
    expires_at: str | None
    revoked_at: str | None
    deleted: bool


T = TypeVar("T")


def page_sql(columns: str, table: str, where: str, mark: str) -> str:
    """A page of `table` newest first (by `seq`): `where`'s rows, as many as its last parameter."""
    return f"SELECT seq, {columns} FROM {table} WHERE {where} ORDER BY seq DESC LIMIT {mark}"  # noqa: S608 - constant fragments


def page_of(
    rows: Sequence[Sequence[Any]], limit: int, shape: Callable[[Sequence[Any]], T]
) -> tuple[list[T], int | None]:
    """The first `limit` of `rows` (seq, then columns) shaped, and the seq the next page
    starts before (None: this is the last page; one row more than `limit` was asked)."""
    next_seq = int(rows[limit - 1][0]) if len(rows) > limit else None
    return [shape(row[1:]) for row in rows[:limit]], next_seq


class KeyObject(TypedDict):
    """The contract's ApiKey object, as the store answers it."""

    id: str
    name: str
    snippet: str
    status: str
    scopes: list[str]
    created_at: str
    last_used_at: str | None
    expires_at: str | None
    revoked_at: str | None
    replaces: str | None
    replaced_by: str | None


class UsageObject(TypedDict):
    """One day of a key's usage: the date (YYYY-MM-DD) and its requests."""

    date: str
    requests: int


class AccountSummary(TypedDict):
    """An account as the operator lists it (`ticos-tui accounts list`)."""

    id: str
    name: str
    email: str
    created_at: str
    keys: int
    sessions: int


class SessionSummary(TypedDict):
    """A live session of an account: its `ses_` id and when it began (never its token)."""

    id: str
    created_at: str


ACCOUNTS_SQL = (
    "SELECT a.id, a.name, a.email, a.created_at,"
    " (SELECT count(*) FROM api_keys k WHERE k.account_id = a.id),"
    " (SELECT count(*) FROM session_tokens s WHERE s.account_id = a.id)"
    " FROM accounts a ORDER BY a.created_at, a.id"
)


def sessions_sql(mark: str) -> str:
    """The account's live sessions, oldest first (`mark`: the dialect's placeholder)."""
    return (
        f"SELECT id, created_at FROM session_tokens WHERE account_id = {mark}"  # noqa: S608 - a placeholder
        " ORDER BY created_at, id"
    )


def session_hash_sql(mark: str) -> str:
    """The token hash of one session of one account, by its `ses_` id."""
    return f"SELECT token_hash FROM session_tokens WHERE account_id = {mark} AND id = {mark}"  # noqa: S608


def account_row(row: Sequence[Any]) -> AccountSummary:
    account_id, name, email, created_at, keys, sessions = row
    return AccountSummary(
        id=account_id,
        name=name,
        email=email,
        created_at=str(created_at),
        keys=int(keys),
        sessions=int(sessions),
    )


def key_json(
    row: Sequence[Any], scopes: list[str], now: str, used: dict[str, str] | None = None
) -> KeyObject:
    """The ApiKey object of a row (id, name, snippet, -, created, last used, expires, revoked,
    replaces, rolled to).

    `scopes` is the row's scopes already parsed; `used`: last uses not written yet, by key id.
    """
    key_id, name, snip, _, created_at, last_used_at, expires_at, revoked_at, replaces, rolled = row
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
    return KeyObject(
        id=key_id,
        name=name,
        snippet=snip,
        status=status,
        scopes=scopes,
        created_at=created_at,
        last_used_at=last_used_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
        replaces=replaces,
        replaced_by=rolled,
    )
