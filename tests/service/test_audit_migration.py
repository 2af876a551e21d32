"""A store made before v1.2 opens and keeps working: lineage derived, sessions get ids, log works."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import httpx
import psycopg
import pytest

from ticos_tui.service import create_app
from ticos_tui.service.store.schema_pg import MIGRATIONS as PG_MIGRATIONS
from ticos_tui.service.store.schema_pg import migrate as pg_migrate
from ticos_tui.service.store.schema_sqlite import SCHEMA_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "store_v1_1"
ROLLED, SUCCESSOR, REVOKED = (
    "key_clgLxnLSIqp7jfGvJkPN",
    "key_BQbwoRCi7HWcYgrYXAIE",
    "key_vsWPU84C6QmuO2rRg89x",
)


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    for name in ("ticos.db", "session-token"):
        shutil.copyfile(FIXTURE / name, folder / name)
        os.chmod(folder / name, 0o600)
    conn = sqlite3.connect(folder / "ticos.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # made before v1.2
    conn.close()
    return folder


async def test_a_store_from_before_the_audit_log_opens_and_keeps_working(old_store: Path) -> None:
    token = (old_store / "session-token").read_text().strip()
    app = create_app(old_store)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers
        ) as http:
            keys = {k["id"]: k for k in (await http.get("/v1/api-keys")).json()["data"]}
            assert keys[SUCCESSOR]["replaces"] == ROLLED  # derived from the old rolled_to
            assert keys[ROLLED]["replaced_by"] == SUCCESSOR
            assert keys[REVOKED]["replaces"] is None and keys[REVOKED]["replaced_by"] is None
            assert keys[REVOKED]["status"] == "revoked"
            # Already rolled before the upgrade: still refused.
            assert (await http.post(f"/v1/api-keys/{ROLLED}/roll")).status_code == 409
            # The old session token still works and now has a `ses_` id in the log.
            rolled = await http.post(f"/v1/api-keys/{SUCCESSOR}/roll")
            assert rolled.status_code == 201 and rolled.json()["replaces"] == SUCCESSOR
            log = (await http.get("/v1/audit-events")).json()["data"]
            assert [e["action"] for e in log] == ["key.rolled"]  # nothing invented for the past
            assert log[0]["actor"]["type"] == "session"
            assert log[0]["actor"]["id"].startswith("ses_")
    finally:
        await app.state.store.close()
    conn = sqlite3.connect(old_store / "ticos.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_postgres_schema_from_before_the_audit_log_migrates(postgres) -> None:
    with postgres.scratch_url() as url, psycopg.connect(url, autocommit=True) as conn:
        # The schema as v1.1 left it (its one migration), with a rolled key and a session.
        conn.execute(PG_MIGRATIONS[0])
        conn.execute("CREATE TABLE schema_version (version integer PRIMARY KEY)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO accounts (id, name, email, created_at) VALUES"
            " ('acc_1', 'A', 'a@example.com', '2026-01-01T00:00:00Z')"
        )
        conn.execute("INSERT INTO session_tokens VALUES ('h1', 'acc_1', '2026-01-01T00:00:00Z')")
        for key_id, rolled_to in (("key_old", "key_new"), ("key_new", None)):
            conn.execute(
                "INSERT INTO api_keys (id, account_id, name, key_hash, snippet, scopes,"
                " created_at, rolled_to) VALUES (%s, 'acc_1', 'n', %s, 's', ARRAY['*'],"
                " '2026-01-01T00:00:00Z', %s)",
                (key_id, "hash-" + key_id, rolled_to),
            )
        assert pg_migrate(conn) == 1
        lineage = dict(conn.execute("SELECT id, replaces FROM api_keys").fetchall())
        assert lineage == {"key_old": None, "key_new": "key_old"}
        (session_id,) = conn.execute("SELECT id FROM session_tokens").fetchone()
        assert session_id.startswith("ses_")
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 0
        assert pg_migrate(conn) == len(PG_MIGRATIONS)  # a second instance: nothing to do
