"""`keys roll --expires-in`, a refused roll, and `logout` ending the session on the server (v1.1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.client.fakeserver import free_port

from .conftest import Served, run_script
from .helpers import create, one_line_error


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_roll_expires_in_and_kept_lifetime(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "ci", "--expires-in", "30d")
    rolled = cli("keys", "roll", made["id"], "--grace", "1h", "--json")
    assert rolled.code == 0, rolled
    kept = json.loads(rolled.out)
    lifetime = _at(made["expires_at"]) - _at(made["created_at"])
    assert _at(kept["expires_at"]) - _at(kept["created_at"]) == lifetime
    assert "The new key expires" in rolled.err
    chosen = cli("keys", "roll", kept["id"], "--expires-in", "5d", "--json", "--yes")
    assert chosen.code == 0, chosen
    new = json.loads(chosen.out)
    # The CLI counts from its own clock, a second or so before the server's created_at.
    span = _at(new["expires_at"]) - _at(new["created_at"])
    assert timedelta(days=5) - timedelta(minutes=1) < span <= timedelta(days=5)
    for bad, says in (("soon", "not a duration"), ("0d", "in the future")):
        assert says in one_line_error(cli("keys", "roll", new["id"], "--expires-in", bad), 2)


def test_roll_of_a_revoked_key_says_why(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "gone")
    assert cli("keys", "revoke", made["id"], "--yes").code == 0
    err = one_line_error(cli("keys", "roll", made["id"], "--yes"), 1)
    assert "revoked" in err and "create a new key" in err


def _works(served: Served, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(served.url + "/account", headers=headers, timeout=10).status_code


def test_logout_ends_the_session_on_the_server(
    cli,  # type: ignore[no-untyped-def]
    served: Served,
    account_token: str,
) -> None:
    assert cli("login", "--base-url", served.url, stdin=account_token + "\n").code == 0
    assert _works(served, account_token) == 200
    logout = cli("logout", "--base-url", served.url)
    assert logout.code == 0, logout
    assert "Ended the session" in logout.err and "Forgot the token" in logout.err
    assert _works(served, account_token) == 401


def test_logout_forgets_locally_when_the_server_cannot_be_told(
    cli,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    token = "tst_" + "A" * 43
    assert cli("login", "--base-url", url, "--no-verify", stdin=token + "\n").code == 0
    logout = cli("logout", "--base-url", url, "--timeout", "2")
    assert logout.code == 0, logout
    assert "could not be told" in logout.err and "Forgot the token" in logout.err
    assert token not in logout.err
    assert not (isolated_env["config"] / "credentials.json").exists()


def test_every_key_command_runs_with_warnings_as_errors(isolated_env) -> None:  # type: ignore[no-untyped-def]
    """Python 3.12 deprecates `?1` placeholders bound from a sequence; under `-W error` a roll
    with a grace period answered 500. Warnings are errors here, on whatever Python runs this."""
    env = {"PYTHONWARNINGS": "error"}
    made = run_script("keys", "create", "strict", "--json", env=env)
    assert made.code == 0, made
    key_id = json.loads(made.out)["id"]
    for argv in (
        ("keys", "roll", key_id, "--grace", "1h", "--json"),
        ("keys", "list", "--json"),
        ("keys", "usage", key_id, "--json"),
        ("keys", "review", "--json"),
    ):
        result = run_script(*argv, env=env)
        assert result.code == 0, (argv, result)
