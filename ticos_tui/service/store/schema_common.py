"""What both dialects' schemas say word for word, written once: only the identity column
(SQLite's AUTOINCREMENT, PostgreSQL's IDENTITY) is the dialect's own."""

from __future__ import annotations


def audit_events_ddl(seq_column: str) -> str:
    """The v1.2 audit log table and its indexes, `seq` declared as `seq_column`."""
    return f"""
    -- Append-only. seq orders events newest first and is the keyset-pagination position.
    -- No foreign keys: an event outlives its key, and a throttled client may have no account.
    CREATE TABLE audit_events (
        seq {seq_column},
        id TEXT NOT NULL UNIQUE,
        account_id TEXT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        key_id TEXT,
        key_name TEXT,
        actor_type TEXT,
        actor_id TEXT,
        actor_name TEXT,
        client TEXT,
        detail TEXT NOT NULL
    );
    CREATE INDEX audit_events_account_seq ON audit_events(account_id, seq);
    CREATE INDEX audit_events_at ON audit_events(at);
    """
