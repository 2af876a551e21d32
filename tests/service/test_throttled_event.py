"""`auth.throttled` goes with the count that reaches the limit: no count past it without its
event, on either store (issue 22: events in the same transaction as the change)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from starlette.applications import Starlette

from ticos_tui.core.keyformat import generate_token

_SQLITE_REFUSE = (
    "CREATE TRIGGER refuse_throttled BEFORE INSERT ON audit_events"
    " WHEN NEW.action = 'auth.throttled' BEGIN SELECT RAISE(ABORT, 'refused'); END"
)
_PG_REFUSE = """
CREATE FUNCTION refuse_throttled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.action = 'auth.throttled' THEN RAISE EXCEPTION 'refused'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_throttled BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_throttled();
"""


@contextmanager
def throttled_events_refused(data_dir: Path, database_url: str | None) -> Iterator[None]:
    """While inside, the database refuses to write an `auth.throttled` event."""
    if database_url is None:
        with sqlite3.connect(data_dir / "ticos.db") as conn:
            conn.execute(_SQLITE_REFUSE)
        yield
        with sqlite3.connect(data_dir / "ticos.db") as conn:
            conn.execute("DROP TRIGGER refuse_throttled")
        return
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(_PG_REFUSE)
    yield
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse_throttled ON audit_events")


def _throttled_events(data_dir: Path, database_url: str | None) -> int:
    query = "SELECT count(*) FROM audit_events WHERE action = 'auth.throttled'"
    if database_url is None:
        with sqlite3.connect(data_dir / "ticos.db") as conn:
            return int(conn.execute(query).fetchone()[0])
    with psycopg.connect(database_url) as conn:
        row = conn.execute(query).fetchone()
        assert row is not None
        return int(row[0])


async def test_a_failure_reaching_the_limit_counts_only_with_its_event(
    make_app: Callable[..., Starlette], token: str, data_dir: Path, database_url: str | None
) -> None:
    app = make_app(failed_auth_limit=3)
    transport = httpx.ASGITransport(app=app, client=("10.9.9.9", 5555), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as guesser:

        async def guess() -> int:
            bad = {"Authorization": f"Bearer {generate_token()}"}
            return (await guesser.get("/v1/account", headers=bad)).status_code

        assert [await guess(), await guess()] == [401, 401]
        with throttled_events_refused(data_dir, database_url):
            reaching = await guess()  # the third failure: its event cannot be written
        assert reaching in (500, 503)  # the database refused: the request failed whole
        assert _throttled_events(data_dir, database_url) == 0
        # That failure did not count: the next one reaches the limit, with its event.
        assert await guess() == 401
        assert _throttled_events(data_dir, database_url) == 1
        assert await guess() == 429
