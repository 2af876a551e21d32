"""The audit log over HTTP: who an event names (`actor_of`), the query's filters, the prune."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime

from starlette.requests import Request

from ticos_tui.service.audit import ACTIONS, PRUNE_INTERVAL, Actor
from ticos_tui.service.auth import Principal, client_of
from ticos_tui.service.inputs import invalid, query_value
from ticos_tui.service.store.errors import StoreUnavailable
from ticos_tui.service.store.protocol import Store
from ticos_tui.service.store.times import DAY, format_ts

log = logging.getLogger(__name__)

KEY_ID = re.compile(r"key_[0-9A-Za-z]{1,40}", re.ASCII)  # what a key id looks like

QUERY = ("key_id", "action", "since", "limit", "cursor")


def actor_of(request: Request, principal: Principal) -> Actor:
    """The credential behind a request and its client address (the rate-limit rule's)."""
    return Actor(principal.key_id, principal.token_hash, client_of(request))


def query_since(request: Request) -> str | None:
    """`since` as the contract's stored time form (`...Z`, second precision), or None."""
    value = query_value(request, "since")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().upper().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise invalid("since", "needs a time zone, such as Z for UTC")
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid("since", "must be an RFC 3339 time such as 2026-12-01T00:00:00Z") from None
    # The stored form (fixed width, so text order is time order), years before 1000 included.
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def query_filters(request: Request) -> tuple[str | None, str | None, str | None]:
    """The audit-events query's `key_id`, `action` and `since` (each None when not given)."""
    key_id = query_value(request, "key_id")
    if key_id is not None and not KEY_ID.fullmatch(key_id):
        raise invalid("key_id", "must be a key id such as key_2x7Qm9…")
    action = query_value(request, "action")
    if action is not None and action not in ACTIONS:
        raise invalid("action", "unknown action; known actions are " + ", ".join(ACTIONS))
    return key_id, action, query_since(request)


async def prune_forever(store: Store, retention_days: int) -> None:
    """Remove events past retention now and then every PRUNE_INTERVAL (served mode's lifespan)."""
    while True:
        try:
            gone = await store.prune_events(format_ts(store.clock() - retention_days * DAY))
            if gone:
                log.info("removed %d audit events older than %d days", gone, retention_days)
        except StoreUnavailable as exc:
            log.warning("audit events past retention not removed yet: %s", exc)
        await asyncio.sleep(PRUNE_INTERVAL)
