"""The SQLite store's audit log and session tokens (a mixin of `sqlite_store.Store`).

Events are written on the transaction's own connection (`event`), so they commit or roll back
with the change they record.
"""

from __future__ import annotations

import sqlite3

from ticos_tui.core.keyformat import generate_token, secret_hash
from ticos_tui.service import audit
from ticos_tui.service.store import rows as store_rows
from ticos_tui.service.store.ids import new_id
from ticos_tui.service.store.sqlite_db import SqliteConnections

_INSERT = audit.insert_sql("?")


class SqliteAudit(SqliteConnections):
    """Session tokens and the audit log in the data folder's SQLite file."""

    def now(self) -> str:
        raise NotImplementedError  # the store's clock (sqlite_store.Store)

    def event(
        self,
        conn: sqlite3.Connection,
        account_id: str | None,
        change: audit.Change,
        actor: audit.Actor | None,
    ) -> None:
        """Write one event with `conn`, in the change's own transaction (SQLite)."""
        lookup = audit.actor_lookup(actor, "?")
        found = None if lookup is None else conn.execute(*lookup).fetchone()
        conn.execute(
            _INSERT,
            audit.event_params(new_id("evt_"), account_id, self.now(), change, actor, found),
        )

    def issue_session_token(
        self, account_id: str, *, revoke_others: bool = False, client: str | None = None
    ) -> str:
        """A new session token for the account; only its hash is stored.

        `revoke_others` ends the account's earlier tokens in the same transaction.
        """
        token = generate_token()
        token_hash = secret_hash(token)
        with self._write() as conn:
            if revoke_others:
                ended = conn.execute(
                    "SELECT token_hash FROM session_tokens WHERE account_id = ?", (account_id,)
                ).fetchall()
                for (old,) in ended:
                    self._end(conn, account_id, old, "replaced by a new session", client)
            conn.execute(
                "INSERT INTO session_tokens (id, token_hash, account_id, created_at)"
                " VALUES (?,?,?,?)",
                (new_id("ses_"), token_hash, account_id, self.now()),
            )
            who = audit.Actor(token_hash=token_hash, client=client)
            self.event(conn, account_id, audit.Change("session.created"), who)
        return token

    def accounts(self) -> list[store_rows.AccountSummary]:
        with self._read() as conn:
            return [
                store_rows.account_row(row)
                for row in conn.execute(store_rows.ACCOUNTS_SQL).fetchall()
            ]

    def sessions(self, account_id: str) -> list[store_rows.SessionSummary]:
        with self._read() as conn:
            rows = conn.execute(store_rows.sessions_sql("?"), (account_id,)).fetchall()
        return [store_rows.SessionSummary(id=row[0], created_at=row[1]) for row in rows]

    def end_session_by_id(self, account_id: str, session_id: str, reason: str) -> bool:
        with self._write() as conn:
            row = conn.execute(
                store_rows.session_hash_sql("?"), (account_id, session_id)
            ).fetchone()
            if row is not None:
                self._end(conn, account_id, row[0], reason, None)
        return row is not None

    def _end(
        self,
        conn: sqlite3.Connection,
        account_id: str,
        token_hash: str,
        reason: str,
        client: str | None,
    ) -> None:
        change = audit.Change("session.ended", detail={"reason": reason})
        self.event(conn, account_id, change, audit.Actor(token_hash=token_hash, client=client))
        conn.execute("DELETE FROM session_tokens WHERE token_hash = ?", (token_hash,))

    def end_session(self, token_hash: str, client: str | None = None) -> None:
        """Revoke a session token: from now on it is unknown."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT account_id FROM session_tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is not None:
                self._end(conn, row[0], token_hash, "signed out", client)

    def record_throttled(
        self, client: str, kind: str, account_id: str | None, key_id: str | None
    ) -> None:
        """`auth.throttled`: `client` passed the failure limit of `kind` (`auth`, `verify`)."""
        with self._write() as conn:
            name = None
            if key_id is not None:
                row = conn.execute("SELECT name FROM api_keys WHERE id = ?", (key_id,)).fetchone()
                name = None if row is None else row[0]
            change = audit.Change("auth.throttled", key_id, name, {"limit": kind})
            self.event(conn, account_id, change, audit.Actor(client=client))

    def list_events(
        self, account_id: str, query: audit.EventQuery
    ) -> tuple[list[audit.EventObject], int | None]:
        """A page of the account's events newest first, and the position of the next one."""
        where, params = audit.events_filter(account_id, query, mark="?")
        sql = store_rows.page_sql(audit.EVENT_COLUMNS, "audit_events", where, "?")
        with self._read() as conn:
            found = conn.execute(sql, params).fetchall()
        return store_rows.page_of(found, query.limit, audit.event_json)

    def prune_events(self, before: str) -> int:
        """Remove events older than `before` (retention); returns how many went."""
        with self._write() as conn:
            return conn.execute("DELETE FROM audit_events WHERE at < ?", (before,)).rowcount
