"""The audit log's one shape: actions, who acted, the event object, and both stores' SQL.

An event is written by the store in the same transaction as the change it records (so there is
no change without its event and no event without its change). It names the actor by the
credential's public id (a session's `ses_…`, an API key's `key_…` and name), resolved inside that
transaction; a token, a key or a hash of either never reaches an event.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from ticos_tui.core.audit_actions import ACTIONS
from ticos_tui.service.run.options import AUDIT_RETENTION_DAYS

__all__ = ["ACTIONS", "Actor", "Change", "event_json", "events_filter"]

RETENTION_DAYS = AUDIT_RETENTION_DAYS  # days events are kept unless the operator says otherwise
PRUNE_INTERVAL = 3600.0  # seconds between background prunes of events past retention


@dataclass(frozen=True, slots=True)
class Actor:
    """The credential making a change, and the client it came from (by the rate-limit rule).

    `token_hash` is only a handle for finding the session's `ses_` id in the transaction; it is
    never written to an event. Neither set: nobody signed in (a throttled client).
    """

    key_id: str | None = None
    token_hash: str | None = None
    client: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One event to write: what happened to which key (its name at the time), and details."""

    action: str
    key_id: str | None = None
    key_name: str | None = None
    detail: dict[str, Any] | None = None


def revoke_change(key_id: str, name: str, revoked_at: str | None, delete: bool) -> Change | None:
    """The event of a revoke or delete of a key found live; None when nothing changes."""
    if delete:
        return Change("key.deleted", key_id, name, {"was_revoked": revoked_at is not None})
    if revoked_at is not None:
        return None
    return Change("key.revoked", key_id, name)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """A page of the audit log: the filters (None: any), its size and where it starts."""

    key_id: str | None = None
    action: str | None = None
    since: str | None = None
    limit: int = 100
    before_seq: int | None = None


def roll_change(key_id: str, name: str, new_key_id: str, grace_seconds: int) -> Change:
    detail = {"new_key_id": new_key_id, "grace_seconds": grace_seconds}
    return Change("key.rolled", key_id, name, detail)


EVENT_COLUMNS = "id, at, action, key_id, key_name, actor_type, actor_id, actor_name, client, detail"


def insert_sql(mark: str) -> str:
    """The INSERT of one event (`mark`: the driver's placeholder), columns as `event_params`."""
    marks = ", ".join([mark] * 11)
    return f"INSERT INTO audit_events (account_id, {EVENT_COLUMNS}) VALUES ({marks})"  # noqa: S608 - constants


def session_actor_sql(mark: str) -> str:
    return (
        "SELECT s.id, a.name FROM session_tokens s JOIN accounts a ON a.id = s.account_id"  # noqa: S608 - constants
        f" WHERE s.token_hash = {mark}"
    )


def key_actor_sql(mark: str) -> str:
    return f"SELECT id, name FROM api_keys WHERE id = {mark}"  # noqa: S608 - constants


def actor_lookup(actor: Actor | None, mark: str) -> tuple[str, tuple[str]] | None:
    """The query (and its parameter) that finds an actor's id and name for its event, or None
    when there is nothing to look up (no actor, or only a client address)."""
    if actor is not None and actor.key_id is not None:
        return key_actor_sql(mark), (actor.key_id,)
    if actor is not None and actor.token_hash is not None:
        return session_actor_sql(mark), (actor.token_hash,)
    return None


def actor_fields(actor: Actor | None, found: Sequence[Any] | None) -> tuple[Any, Any, Any]:
    """(type, id, name) of an actor, from the row its lookup found (id, name)."""
    if actor is None or (actor.key_id is None and actor.token_hash is None):
        return None, None, None
    kind = "api_key" if actor.key_id is not None else "session"
    if found is None:  # a credential that ended in this very transaction (cannot happen today)
        return kind, actor.key_id, None
    return kind, found[0], found[1]


def event_params(
    event_id: str,
    account_id: str | None,
    at: str,
    change: Change,
    actor: Actor | None,
    found: Sequence[Any] | None,
) -> tuple[Any, ...]:
    kind, actor_id, actor_name = actor_fields(actor, found)
    detail = json.dumps(change.detail or {}, separators=(",", ":"), sort_keys=True)
    client = actor.client if actor is not None else None
    return (account_id, event_id, at, change.action, change.key_id, change.key_name,
            kind, actor_id, actor_name, client, detail)  # fmt: skip


class ActorObject(TypedDict):
    type: str
    id: str
    name: str | None


class EventObject(TypedDict):
    """The contract's Event object."""

    id: str
    at: str
    action: str
    key_id: str | None
    key_name: str | None
    actor: ActorObject | None
    client: str | None
    detail: dict[str, Any]


def event_json(row: Sequence[Any]) -> EventObject:
    """The contract's Event object of a row (EVENT_COLUMNS)."""
    event_id, at, action, key_id, key_name, kind, actor_id, actor_name, client, detail = row
    actor = None if kind is None else ActorObject(type=kind, id=actor_id, name=actor_name)
    return EventObject(
        id=event_id,
        at=at,
        action=action,
        key_id=key_id,
        key_name=key_name,
        actor=actor,
        client=client,
        detail=json.loads(detail),
    )


def events_filter(account_id: str, query: EventQuery, *, mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause and parameters for a page of an account's events (both stores' rule);
    the last parameter is the page's size, one more than asked (to tell there is a next)."""
    where = f"account_id = {mark}"
    params: list[Any] = [account_id]
    for column, value, op in (
        ("key_id", query.key_id, "="),
        ("action", query.action, "="),
        ("at", query.since, ">="),
        ("seq", query.before_seq, "<"),
    ):
        if value is not None:
            where += f" AND {column} {op} {mark}"
            params.append(value)
    params.append(query.limit + 1)
    return where, params
