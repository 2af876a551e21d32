"""The PostgreSQL schema: its migrations, each applied once however many instances start at once.

Every step runs in its own transaction under a transaction-level advisory lock and records its
version in `schema_version`; an instance that waited for the lock re-reads the version and skips
what another instance applied meanwhile. Times are stored as the contract's text (fixed-width
UTC, so text order is time order), as in SQLite: one formatting function, one row shape.
"""

from __future__ import annotations

import psycopg

from ticos_tui.service.store.schema_common import audit_events_ddl

# Each entry moves the schema from version N to N+1 (N = its index); later releases append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE accounts (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        name text NOT NULL,
        email text NOT NULL,
        created_at text NOT NULL,
        is_local boolean NOT NULL DEFAULT false
    );
    CREATE TABLE session_tokens (
        token_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        created_at text NOT NULL
    );
    CREATE INDEX session_tokens_account ON session_tokens(account_id);
    -- seq orders keys newest first and is the keyset-pagination position.
    CREATE TABLE api_keys (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        account_id text NOT NULL REFERENCES accounts(id),
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        snippet text NOT NULL,
        scopes text[] NOT NULL,
        created_at text NOT NULL,
        last_used_at text,
        expires_at text,
        revoked_at text,
        deleted boolean NOT NULL DEFAULT false,
        rolled_to text
    );
    CREATE INDEX api_keys_account_seq ON api_keys(account_id, seq);
    -- Usage counts, added up from every instance's coalesced flushes.
    CREATE TABLE key_usage (
        key_id text NOT NULL,
        day text NOT NULL,
        requests bigint NOT NULL,
        PRIMARY KEY (key_id, day)
    );
    -- Failed attempts per client in a window from its first failure (as the in-memory
    -- limiter counts them), shared so a limit holds across instances.
    CREATE TABLE auth_failures (
        kind text NOT NULL,
        client text NOT NULL,
        window_start double precision NOT NULL,
        failures integer NOT NULL,
        PRIMARY KEY (kind, client)
    );
    """,
    # v1.2: roll lineage both ways (`replaces`; `replaced_by` is rolled_to), derived for keys
    # rolled before; session ids (`ses_…`, what the audit log names); the audit log itself.
    "".join(
        (
            """
    ALTER TABLE api_keys ADD COLUMN replaces text;
    UPDATE api_keys SET replaces = old.id FROM api_keys AS old WHERE old.rolled_to = api_keys.id;
    ALTER TABLE session_tokens ADD COLUMN id text;
    UPDATE session_tokens SET id = 'ses_' || substr(md5(random()::text || token_hash), 1, 24);
    CREATE UNIQUE INDEX session_tokens_id ON session_tokens(id);
    """,
            audit_events_ddl("bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        )
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
LOCK_ID = 0x7469636F  # "tico": the advisory lock every instance migrates under


def migrate(conn: psycopg.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one step per transaction; returns the version found.

    Raises:
        RuntimeError: the database's schema is newer than this release.
    """
    first: int | None = None
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_ID,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY)")
            row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
            found = int(row[0]) if row else 0
            if first is None:
                first = found
            if found > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database schema version {found} is newer than this ticos-tui"
                    f" ({SCHEMA_VERSION})"
                )
            if found == SCHEMA_VERSION:
                return first
            conn.execute(MIGRATIONS[found])
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (found + 1,))
