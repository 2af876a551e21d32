"""`ticos-tui audit`: the account's audit log, as lines, JSON or JSON lines, and `--follow`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ticos_tui.cli.connection import with_client
from ticos_tui.cli.lookup import resolve_key_id
from ticos_tui.cli.output import note, print_json, say
from ticos_tui.core.audit_words import event_line
from ticos_tui.core.errors import UsageError
from ticos_tui.core.models import AuditEvent
from ticos_tui.core.timefmt import now_utc

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient
    from ticos_tui.settings.config import Settings

LISTED = 100  # events shown by default
FOLLOW_BACKLOG = 10  # events shown before following, by default
POLL_INTERVAL = 1.0  # seconds between looks for new events while following
# Events are looked for again this far behind the newest one seen: on a shared store a
# transaction that began earlier may commit (and be listed) a moment after a later one.
LOOKBACK = timedelta(seconds=10)


def audit(args: argparse.Namespace) -> int:
    if args.follow and args.format == "json":
        raise UsageError(
            "--follow prints events as they happen, so it cannot write one JSON array; "
            "use --jsonl (one JSON object a line)"
        )
    since = now_utc().replace(microsecond=0) - args.since if args.since else None

    async def run(client: TicosClient, _: Settings) -> list[AuditEvent]:
        key_id = await resolve_key_id(client, args.key) if args.key else None
        filters = Filters(client, key_id, args.action)
        if not args.follow:
            return await filters.newest(since, args.limit or LISTED)
        await follow(filters, since, args.limit or FOLLOW_BACKLOG, args.format)
        return []  # never reached: following ends with Ctrl-C (exit 130)

    events = with_client(args, run)
    if args.format == "json":
        print_json([e.to_json() for e in events])
    elif args.format == "jsonl":
        for event in events:
            print_json(event.to_json(), indent=None)
    elif not events:
        note("No events." if since is None else "No events in that time.")
    else:
        say("\n".join(event_line(e) for e in events))
    return 0


class Filters:
    """The `--key` and `--action` filters over one client, reading pages of events."""

    def __init__(self, client: TicosClient, key_id: str | None, action: str | None) -> None:
        self.client = client
        self.key_id = key_id
        self.action = action

    async def newest(self, since: datetime | None, limit: int) -> list[AuditEvent]:
        """Up to `limit` events at or after `since`, newest first, following the cursor."""
        found: list[AuditEvent] = []
        cursor: str | None = None
        while len(found) < limit:
            page = await self.client.audit_events_page(
                key_id=self.key_id,
                action=self.action,
                since=since,
                limit=min(limit - len(found), 1000),
                cursor=cursor,
            )
            found += page.events
            if page.next_cursor is None or page.next_cursor == cursor:
                break
            cursor = page.next_cursor
        return found[:limit]


def _show(event: AuditEvent, output: str) -> None:
    if output == "jsonl":
        print_json(event.to_json(), indent=None)
    else:
        say(event_line(event))
        sys.stdout.flush()


async def follow(filters: Filters, since: datetime | None, backlog: int, output: str) -> None:
    """Print the last `backlog` events oldest first, then each new one as it appears, forever.

    New events are found by polling with `since` (the newest seen, less LOOKBACK) and told
    apart from those already printed by their ids.
    """
    shown: dict[str, datetime] = {}  # id -> time, of events printed (or passed) in the lookback
    newest = since
    first = await filters.newest(since, backlog)
    for event in reversed(first):
        _show(event, output)
        shown[event.id] = event.at
        newest = event.at if newest is None else max(newest, event.at)
    if first:
        # Older events within the lookback were left out on purpose (the backlog's length):
        # passed over, not new. The list is newest first, so they come after the newest shown.
        around = await filters.newest(first[0].at - LOOKBACK, 100_000)
        ids = [e.id for e in around]
        if first[0].id in ids:
            for event in around[ids.index(first[0].id) + 1 :]:
                shown.setdefault(event.id, event.at)
    while True:
        await asyncio.sleep(POLL_INTERVAL)
        look_from = None if newest is None else newest - LOOKBACK
        fresh = [e for e in await filters.newest(look_from, 100_000) if e.id not in shown]
        for event in reversed(fresh):
            _show(event, output)
            shown[event.id] = event.at
            newest = event.at if newest is None else max(newest, event.at)
        if look_from is not None:
            shown = {i: at for i, at in shown.items() if at >= look_from}
