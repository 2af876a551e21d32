"""Audit events for the Activity tests: fixed ids and times, every action, a hostile name."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tests.tui.fakes import NOW, EventPage, FakeClient
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import AuditEvent

_ACTIONS = (
    ("key.created", {"scopes": ["*"], "expires_at": None}),
    ("key.renamed", {"old_name": "CI", "new_name": "CI deploy"}),
    ("key.rolled", {"new_key_id": "key_9001", "grace_seconds": 3600}),
    ("key.revoked", {}),
    ("key.deleted", {}),
)
NAMES = ("Nightly Batch Script", "CI deploy 🚀", "[bold]Markup[/] name", "Staging web")


def sample_events(count: int = 8) -> list[AuditEvent]:
    """`count` events, newest first, a few minutes apart, by a session and by a key."""
    events = []
    for i in range(count):
        action, detail = _ACTIONS[i % len(_ACTIONS)]
        by_key = i % 3 == 2
        events.append(
            AuditEvent(
                id=f"evt_s{count - i:04d}",  # never one the fake makes (evt_0000…)
                at=NOW - timedelta(minutes=7 * i + 2),
                action=action,
                key_id=f"key_{i % 4:04d}",
                key_name=NAMES[i % 4],
                actor_type="api_key" if by_key else "session",
                actor_id="key_0100" if by_key else "ses_fake",
                actor_name="CI robot" if by_key else "Ada Lovelace",
                client="203.0.113.7" if i % 2 else "127.0.0.1",
                detail=dict(detail),
            )
        )
    return events


class ActivityClient(FakeClient):
    """The fake, whose audit log can be held (the spinner) or fail (error and retry)."""

    def __init__(self, events: list[AuditEvent] | None = None) -> None:
        super().__init__()
        self.events = list(events if events is not None else sample_events())
        self.gate: asyncio.Event | None = None  # while set and not set: the log's pages wait
        self.fail_audit: TicosError | None = None
        self.asked: list[dict[str, object]] = []  # every audit request's arguments

    async def audit_events_page(
        self,
        *,
        key_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventPage:
        self.asked.append({"key_id": key_id, "since": since, "cursor": cursor, "limit": limit})
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_audit is not None:
            raise self.fail_audit
        return await super().audit_events_page(
            key_id=key_id, action=action, since=since, limit=limit, cursor=cursor
        )
