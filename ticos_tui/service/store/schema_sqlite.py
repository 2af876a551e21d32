"""The SQLite schema: its migrations, and `migrate` that applies the missing ones."""

from __future__ import annotations

import sqlite3

from ticos_tui.service.store.schema_common import audit_events_ddl

# Each entry moves the schema from version N to N+1 (N = its index). A later release appends
# steps; `migrate` runs the missing ones in one transaction, so keys survive an upgrade.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        created_at TEXT NOT NULL,
        is_local INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE session_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        created_at TEXT NOT NULL
    );
    -- seq is monotonic (AUTOINCREMENT never reuses a value): it orders keys newest first
    -- and is the keyset-pagination position, so new keys only ever appear at the head.
    CREATE TABLE api_keys (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        snippet TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        expires_at TEXT,
        revoked_at TEXT,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX api_keys_account_seq ON api_keys(account_id, seq);
    CREATE TABLE key_usage (
        key_id TEXT NOT NULL,
        day TEXT NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (key_id, day)
    ) WITHOUT ROWID;
    """,
    # v1.1: a rolled key remembers its successor, so it cannot be rolled a second time.
    """
    ALTER TABLE api_keys ADD COLUMN rolled_to TEXT;
    """,
    # v1.2: roll lineage both ways (`replaces`; `replaced_by` is rolled_to), derived for keys
    # rolled before; session ids (`ses_…`, what the audit log names); the audit log itself.
    "".join(
        (
            """
    ALTER TABLE api_keys ADD COLUMN replaces TEXT;
    UPDATE api_keys SET replaces =
        (SELECT old.id FROM api_keys AS old WHERE old.rolled_to = api_keys.id);
    ALTER TABLE session_tokens ADD COLUMN id TEXT;
    UPDATE session_tokens SET id = 'ses_' || lower(hex(randomblob(12))) WHERE id IS NULL;
    CREATE UNIQUE INDEX session_tokens_id ON session_tokens(id);
    """,
            audit_events_ddl("INTEGER PRIMARY KEY AUTOINCREMENT"),
        )
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version it found."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {found} is newer than this ticos-tui ({SCHEMA_VERSION})"
        )
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[found:]:
            for statement in step.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
