"""The operator's `accounts` commands on either store: list, an account's sessions, ending one
(issue 23 §3), and `accounts create` refusing an email in use (issue 20 item 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from ticos_tui.core.keyformat import secret_hash
from ticos_tui.service.store.factory import open_store


@pytest.fixture(params=["sqlite", "postgres"])
def store_args(request: pytest.FixtureRequest) -> Iterator[tuple[str, ...]]:
    """The options that point `accounts` at the store: the data folder's SQLite, or a
    PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield ()
        return
    with request.getfixturevalue("postgres").scratch_url() as url:
        yield ("--database-url", url)


async def _account_of(token: str, data_dir, store_args: tuple[str, ...]) -> str | None:  # type: ignore[no-untyped-def]
    store = open_store(data_dir, store_args[1] if store_args else None)
    try:
        return await store.account_for_token_hash(secret_hash(token))
    finally:
        await store.close()


def _email(account: dict[str, object]) -> str:
    return str(account["email"])


async def test_list_sessions_and_ending_one(cli, isolated_env, store_args) -> None:  # type: ignore[no-untyped-def]
    data_dir = isolated_env["data"]
    made = cli("accounts", "create", "Ada Lovelace", "ada@example.com", *store_args)
    assert made.code == 0, made.err
    ada = made.out.strip()
    assert cli("accounts", "create", "Bo", "bo@example.com", *store_args).code == 0

    # Oldest first; made in the same second, the two may come in either order.
    listed = sorted(json.loads(cli("accounts", "list", "--json", *store_args).out), key=_email)
    assert [(a["name"], a["email"], a["sessions"]) for a in listed] == [
        ("Ada Lovelace", "ada@example.com", 1),
        ("Bo", "bo@example.com", 1),
    ]
    table = cli("accounts", "list", *store_args)
    assert "Ada Lovelace <ada@example.com>" in table.out and "1 live session" in table.out
    assert ada not in table.out + table.err  # never a token

    sessions = json.loads(cli("accounts", "sessions", "ADA@example.com", "--json", *store_args).out)
    assert len(sessions) == 1 and sessions[0]["id"].startswith("ses_")
    assert set(sessions[0]) == {"id", "created_at"}
    assert await _account_of(ada, data_dir, store_args) == listed[0]["id"]

    ended = cli("accounts", "end-session", "ada@example.com", sessions[0]["id"], *store_args)
    assert ended.code == 0, ended.err
    assert f"Ended session {sessions[0]['id']} of ada@example.com" in ended.err
    assert await _account_of(ada, data_dir, store_args) is None  # the token works no more
    after = sorted(json.loads(cli("accounts", "list", "--json", *store_args).out), key=_email)
    assert [a["sessions"] for a in after] == [0, 1]  # Bo's session is untouched

    again = cli("accounts", "end-session", "ada@example.com", sessions[0]["id"], *store_args)
    assert again.code == 1 and "has no live session" in again.err
    unknown = cli("accounts", "sessions", "nobody@example.com", *store_args)
    assert unknown.code == 1 and "no account has the email or id" in unknown.err


def test_an_email_in_use_is_refused_and_nothing_is_made(cli, store_args) -> None:  # type: ignore[no-untyped-def]
    assert cli("accounts", "create", "Ada", "ada@example.com", *store_args).code == 0
    twice = cli("accounts", "create", "Ada Again", "Ada@Example.com", *store_args)
    assert twice.code == 1 and twice.out == ""
    assert "an account with the email Ada@Example.com exists already" in twice.err
    listed = json.loads(cli("accounts", "list", "--json", *store_args).out)
    assert [a["name"] for a in listed] == ["Ada"]


def test_the_ended_session_is_refused_by_a_served_instance(cli, served, account_token) -> None:  # type: ignore[no-untyped-def]
    """Against `serve`: the operator ends a session and the server answers 401 to it at once."""
    headers = {"Authorization": f"Bearer {account_token}"}
    assert httpx.get(f"{served.url}/account", headers=headers).status_code == 200
    email = httpx.get(f"{served.url}/account", headers=headers).json()["email"]
    where = ("--data-dir", str(served.data_dir))
    session = json.loads(cli("accounts", "sessions", email, "--json", *where).out)[-1]["id"]
    assert cli("accounts", "end-session", email, session, *where).code == 0
    assert httpx.get(f"{served.url}/account", headers=headers).status_code == 401
