"""How an audit event reads to a person: its action, key, actor, client and detail in words.

The CLI (`ticos-tui audit`) and the TUI word events through these functions, so they agree.
Light, like `present`: no Textual, no httpx. Names pass through `visible` where they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ticos_tui.core.audit_actions import ACTIONS
from ticos_tui.core.models import AuditEvent
from ticos_tui.core.present import quoted
from ticos_tui.core.timefmt import exact, relative

__all__ = ["ACTIONS", "actor_text", "detail_text", "event_line", "key_text", "recent_text"]


def actor_text(event: AuditEvent) -> str:
    """Who made the change: `session ses_… (Ada)`, `key key_… “CI robot”`, or `nobody signed in`."""
    if event.actor_type is None:
        return "nobody signed in"
    if event.actor_type == "api_key":
        name = f" {quoted(event.actor_name)}" if event.actor_name is not None else ""
        return f"key {event.actor_id}{name}"
    name = f" ({event.actor_name})" if event.actor_name is not None else ""
    return f"{event.actor_type} {event.actor_id}{name}"


def key_text(event: AuditEvent) -> str:
    """The key an event is about: `“name” (key_…)`, or `—` for a session's or client's event."""
    if event.key_id is None:
        return "—"
    if event.key_name is None:
        return event.key_id
    return f"{quoted(event.key_name)} ({event.key_id})"


def detail_text(event: AuditEvent) -> str:
    """The event's detail in a few words (empty when there is nothing to add)."""
    detail = event.detail
    if event.action == "key.renamed":
        return f"{quoted(str(detail.get('old_name')))} → {quoted(str(detail.get('new_name')))}"
    if event.action == "key.rolled":
        grace = detail.get("grace_seconds")
        if isinstance(grace, int) and grace > 0:
            ends = f"old key stops {relative(event.at + timedelta(seconds=grace), event.at)}"
        else:
            ends = "old key revoked at once"
        return f"rolled → {detail.get('new_key_id')}; {ends}"
    if event.action == "session.ended" and detail.get("reason"):
        return str(detail["reason"])
    if event.action == "auth.throttled":
        return f"too many failed {detail.get('limit', 'auth')} attempts"
    if event.action == "key.created" and detail.get("expires_at"):
        return f"expires {detail['expires_at']}"
    return ""


def event_line(event: AuditEvent) -> str:
    """One line for a log: time, action, key, by whom, from where, and the detail."""
    parts = [
        exact(event.at),
        event.action,
        key_text(event),
        f"by {actor_text(event)}",
        f"from {event.client or 'this machine'}",
    ]
    detail = detail_text(event)
    if detail:
        parts.append(detail)
    return "  ".join(parts)


def recent_text(events: Sequence[AuditEvent], now: datetime) -> str:
    """A key's last events on one line, newest first: `key.renamed 5 minutes ago by session …`.

    Keys made before the audit log have none: they read `no events recorded`.
    """
    if not events:
        return "Recent: no events recorded"
    said = [f"{e.action} {relative(e.at, now)} by {actor_text(e)}" for e in events]
    return "Recent: " + "  ·  ".join(said)
