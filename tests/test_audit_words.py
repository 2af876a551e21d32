"""How audit events read (ticos_tui.core.audit_words): every action's words, actors, and odd input."""

from __future__ import annotations

from datetime import UTC, datetime

from ticos_tui.core.audit_actions import ACTIONS
from ticos_tui.core.audit_words import actor_text, detail_text, event_line, key_text
from ticos_tui.core.models import AuditEvent

AT = datetime(2026, 12, 4, 21, 3, 11, tzinfo=UTC)


def event(action: str, **kw: object) -> AuditEvent:
    fields: dict = {
        "key_id": "key_A1", "key_name": "Deploy", "actor_type": "session",
        "actor_id": "ses_X", "actor_name": "Ada", "client": "10.0.0.7", "detail": {},
    }  # fmt: skip
    fields.update(kw)
    return AuditEvent("evt_1", AT, action, **fields)


def test_a_line_has_time_action_key_actor_client_and_detail() -> None:
    line = event_line(event("key.renamed", detail={"old_name": "a", "new_name": "b"}))
    assert line == (
        "2026-12-04 21:03:11 UTC  key.renamed  “Deploy” (key_A1)  by session ses_X (Ada)"
        "  from 10.0.0.7  “a” → “b”"
    )


def test_actors_and_keys_in_words() -> None:
    assert actor_text(event("key.created", actor_type="api_key", actor_id="key_R",
                            actor_name="CI robot")) == "key key_R “CI robot”"  # fmt: skip
    assert actor_text(event("auth.throttled", actor_type=None)) == "nobody signed in"
    assert key_text(event("session.created", key_id=None, key_name=None)) == "—"
    assert key_text(event("key.deleted", key_name=None)) == "key_A1"
    assert "from this machine" in event_line(event("session.created", client=None))


def test_every_action_reads_and_detail_of_each() -> None:
    details = {
        "key.rolled": {"new_key_id": "key_B", "grace_seconds": 3600},
        "session.ended": {"reason": "signed out"},
        "auth.throttled": {"limit": "verify"},
        "key.created": {"scopes": ["*"], "expires_at": "2027-01-01T00:00:00Z"},
    }
    for action in ACTIONS:
        assert action in event_line(event(action, detail=details.get(action, {})))
    assert detail_text(event("key.rolled", detail=details["key.rolled"])) == (
        "rolled → key_B; old key stops in 1 hour"
    )
    zero = {"new_key_id": "key_B", "grace_seconds": 0}
    assert detail_text(event("key.rolled", detail=zero)).endswith("revoked at once")
    assert detail_text(event("auth.throttled", detail={"limit": "verify"})) == (
        "too many failed verify attempts"
    )
    assert detail_text(event("key.revoked")) == ""
    # A server's odd detail (a string where a number belongs) still reads, never crashes.
    odd = {"new_key_id": None, "grace_seconds": "lots"}
    assert "rolled → None" in detail_text(event("key.rolled", detail=odd))


def test_round_trip_through_json() -> None:
    original = event("key.rolled", detail={"new_key_id": "key_B", "grace_seconds": 0})
    assert AuditEvent.from_json(original.to_json()) == original
    nobody = event("auth.throttled", actor_type=None, actor_id=None, actor_name=None)
    assert nobody.to_json()["actor"] is None
    assert AuditEvent.from_json(nobody.to_json()) == nobody
