"""The PostgreSQL store's audit log and session tokens (a mixin of `pg_store.PgStore`).

Events are written on the transaction's own connection (`event`), so they commit or roll back
with the change they record, on whichever instance made it.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ticos_tui.core.keyformat import generate_token, secret_hash
from ticos_tui.service import audit
from ticos_tui.service.store import rows as store_rows
from ticos_tui.service.store.ids import new_id

_INSERT = audit.insert_sql("%s")


class Database(Protocol):
    """What the mixin needs of PgStore (a protocol, so the two modules import one way)."""

    def now(self) -> str: ...

    def connection(self) -> AbstractAsyncContextManager[Any]: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def event(
        self, conn: Any, account_id: str | None, change: audit.Change, actor: audit.Actor | None
    ) -> None: ...

    async def throttled_event(
        self, conn: Any, client: str, kind: str, account_id: str | None, key_id: str | None
    ) -> None: ...

    async def _end(
        self, conn: Any, account_id: str, token_hash: str, reason: str, client: str | None
    ) -> None: ...


async def _one(conn: Any, query: str, params: tuple[Any, ...]) -> Any:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


class PgAudit:
    """Session tokens and the audit log in PostgreSQL."""

    async def event(
        self: Database,
        conn: Any,
        account_id: str | None,
        change: audit.Change,
        actor: audit.Actor | None,
    ) -> None:
        """Write one event on `conn`, inside the change's own transaction (PostgreSQL)."""
        lookup = audit.actor_lookup(actor, "%s")
        found = None if lookup is None else await _one(conn, *lookup)
        await conn.execute(
            _INSERT,
            audit.event_params(new_id("evt_"), account_id, self.now(), change, actor, found),
        )

    async def issue_session_token(
        self: Database, account_id: str, *, revoke_others: bool = False, client: str | None = None
    ) -> str:
        token = generate_token()
        token_hash = secret_hash(token)
        async with self.transaction() as conn:
            if revoke_others:
                cur = await conn.execute(
                    "SELECT token_hash FROM session_tokens WHERE account_id = %s FOR UPDATE",
                    (account_id,),
                )
                for (old,) in await cur.fetchall():
                    await self._end(conn, account_id, old, "replaced by a new session", client)
            await conn.execute(
                "INSERT INTO session_tokens (id, token_hash, account_id, created_at)"
                " VALUES (%s, %s, %s, %s)",
                (new_id("ses_"), token_hash, account_id, self.now()),
            )
            who = audit.Actor(token_hash=token_hash, client=client)
            await self.event(conn, account_id, audit.Change("session.created"), who)
        return token

    async def _end(
        self: Database, conn: Any, account_id: str, token_hash: str, reason: str, client: str | None
    ) -> None:
        change = audit.Change("session.ended", detail={"reason": reason})
        await self.event(
            conn, account_id, change, audit.Actor(token_hash=token_hash, client=client)
        )
        await conn.execute("DELETE FROM session_tokens WHERE token_hash = %s", (token_hash,))

    async def accounts(self: Database) -> list[store_rows.AccountSummary]:
        async with self.connection() as conn:
            cur = await conn.execute(store_rows.ACCOUNTS_SQL)
            return [store_rows.account_row(row) for row in await cur.fetchall()]

    async def sessions(self: Database, account_id: str) -> list[store_rows.SessionSummary]:
        async with self.connection() as conn:
            cur = await conn.execute(store_rows.sessions_sql("%s"), (account_id,))
            rows = await cur.fetchall()
        return [store_rows.SessionSummary(id=row[0], created_at=str(row[1])) for row in rows]

    async def end_session_by_id(
        self: Database, account_id: str, session_id: str, reason: str
    ) -> bool:
        async with self.transaction() as conn:
            row = await _one(
                conn, store_rows.session_hash_sql("%s") + " FOR UPDATE", (account_id, session_id)
            )
            if row is not None:
                await self._end(conn, account_id, row[0], reason, None)
        return row is not None

    async def end_session(self: Database, token_hash: str, client: str | None = None) -> None:
        async with self.transaction() as conn:
            row = await _one(
                conn,
                "SELECT account_id FROM session_tokens WHERE token_hash = %s FOR UPDATE",
                (token_hash,),
            )
            if row is not None:
                await self._end(conn, row[0], token_hash, "signed out", client)

    async def record_throttled(
        self: Database,
        client: str,
        kind: str,
        account_id: str | None = None,
        key_id: str | None = None,
    ) -> None:
        async with self.transaction() as conn:
            await self.throttled_event(conn, client, kind, account_id, key_id)

    async def throttled_event(
        self: Database,
        conn: Any,
        client: str,
        kind: str,
        account_id: str | None,
        key_id: str | None,
    ) -> None:
        """`auth.throttled` in the transaction of `conn` (the failure count's own)."""
        name = None
        if key_id is not None:
            row = await _one(conn, "SELECT name FROM api_keys WHERE id = %s", (key_id,))
            name = None if row is None else row[0]
        change = audit.Change("auth.throttled", key_id, name, {"limit": kind})
        await self.event(conn, account_id, change, audit.Actor(client=client))

    async def list_events(
        self: Database, account_id: str, query: audit.EventQuery
    ) -> tuple[list[audit.EventObject], int | None]:
        where, params = audit.events_filter(account_id, query, mark="%s")
        sql = store_rows.page_sql(audit.EVENT_COLUMNS, "audit_events", where, "%s")
        async with self.connection() as conn:
            found = await (await conn.execute(sql, params)).fetchall()
        return store_rows.page_of(found, query.limit, audit.event_json)

    async def prune_events(self: Database, before: str) -> int:
        async with self.connection() as conn:
            cur = await conn.execute("DELETE FROM audit_events WHERE at < %s", (before,))
            return int(cur.rowcount)
