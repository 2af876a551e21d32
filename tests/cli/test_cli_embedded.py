"""Every CLI command in embedded mode (the default): stdout carries data, stderr messages, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ticos_tui.core.keyformat import is_well_formed_key

from .helpers import create, one_line_error


def test_keys_workflow(cli) -> None:  # type: ignore[no-untyped-def]
    made = cli("keys", "create", "Nightly Batch Script")
    assert made.code == 0
    key = made.out.removesuffix("\n")
    assert made.out == key + "\n" and is_well_formed_key(key)
    assert "Nightly Batch Script" in made.err and "never shown again" in made.err
    assert key not in made.err

    listing = cli("keys", "list")
    assert listing.code == 0 and listing.err == ""
    header, row = listing.out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "KEY"]
    assert "Nightly Batch Script" in row and key[:7] in row and key not in listing.out
    assert "full access" in row and "never" in row

    keys = json.loads(cli("keys", "list", "--json").out)
    assert [k["name"] for k in keys] == ["Nightly Batch Script"]
    key_id = keys[0]["id"]
    lines = cli("keys", "list", "--jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [key_id]

    renamed = cli("keys", "rename", key_id, "Nightly [b]v2[/b]")
    assert renamed.code == 0 and renamed.out == ""
    assert "Nightly [b]v2[/b]" in renamed.err

    usage = cli("keys", "usage", key_id, "--days", "7")
    assert usage.code == 0
    assert "last 7 days" in usage.out and "Total: 0 requests" in usage.out
    assert "Last used: never" in usage.out
    assert len([line for line in usage.out.splitlines() if re.match(r"\d{4}-\d\d-\d\d", line)]) == 7
    assert len(json.loads(cli("keys", "usage", key_id, "--json").out)) == 30

    rolled = cli("keys", "roll", key_id, "--grace", "1h")
    assert rolled.code == 0
    new_key = rolled.out.removesuffix("\n")
    assert rolled.out == new_key + "\n" and is_well_formed_key(new_key) and new_key != key
    assert "keeps working until" in rolled.err

    active = json.loads(cli("keys", "list", "--status", "active", "--json").out)
    new_id = next(k["id"] for k in active if k["id"] != key_id)
    rolled_json = cli("keys", "roll", new_id, "--json", "--yes")
    data = json.loads(rolled_json.out)
    assert is_well_formed_key(data["key"]) and data["name"] == "Nightly [b]v2[/b]"
    assert "stopped working now" in rolled_json.err

    revoked = cli("keys", "revoke", key_id, "--yes", "--json")
    assert revoked.code == 0 and json.loads(revoked.out)["status"] == "revoked"
    assert "Revoked key" in revoked.err
    deleted = cli("keys", "delete", data["id"], "--yes")
    assert deleted.code == 0 and deleted.out == "" and "Deleted key" in deleted.err
    statuses = {k["id"]: k["status"] for k in json.loads(cli("keys", "list", "--json").out)}
    assert data["id"] not in statuses and statuses[key_id] == "revoked"
    assert cli("keys", "list", "--status", "expired").err == "No expired keys.\n"


def test_create_with_scopes_and_expiry(cli) -> None:  # type: ignore[no-untyped-def]
    key, data = create(
        cli, "ci", "--scope", "api_keys:read", "--scope", "usage:read", "--expires-in", "30d"
    )
    assert is_well_formed_key(key)
    assert data["scopes"] == ["api_keys:read", "usage:read"] and data["expires_at"]
    row = cli("keys", "list").out.splitlines()[1]
    assert "api_keys:read, usage:read" in row and "in 30 days" in row


@pytest.mark.parametrize("verb", ["revoke", "delete"])
def test_destructive_commands_refuse_without_a_tty(cli, verb: str) -> None:  # type: ignore[no-untyped-def]
    _, data = create(cli, "keep me")
    result = cli("keys", verb, data["id"], stdin="y\n")
    err = one_line_error(result, 2)
    assert "not a terminal" in err and "--yes" in err and result.out == ""
    assert json.loads(cli("keys", "list", "--json").out)[0]["status"] == "active"


def test_destructive_commands_ask_on_a_tty(cli) -> None:  # type: ignore[no-untyped-def]
    _, data = create(cli, "ask me")
    declined = cli("keys", "revoke", data["id"], stdin="n\n", tty=True)
    assert declined.code == 2 and "“ask me”" in declined.err and "[y/N]" in declined.err
    assert json.loads(cli("keys", "list", "--json").out)[0]["status"] == "active"
    accepted = cli("keys", "delete", data["id"], stdin="y\n", tty=True)
    assert accepted.code == 0 and "Deleted key “ask me”" in accepted.err
    assert json.loads(cli("keys", "list", "--json").out) == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["keys", "create", "x", "--expires-in", "soon"], "is not a duration"),
        (["keys", "usage", "key_x", "--days", "91"], "between 1 and 90"),
        (["keys", "roll", "key_x", "--grace", "8d"], "at most 7d"),
        (["keys", "list", "--status", "gone"], "invalid choice"),
        (["keys", "frobnicate"], "invalid choice"),
        (["keys"], "required"),
        (["keys", "rename", "key_x"], "required"),
        (["--timeout", "0", "keys", "list"], "timeout"),
        (["--base-url", "ftp://x", "keys", "list"], "not an http(s) URL"),
        (["login"], "--base-url"),
    ],
)
def test_usage_errors_exit_2(cli, argv: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*argv)
    assert words in one_line_error(result, 2)
    assert result.out == ""


def test_a_token_that_is_not_one_is_refused_alike_from_stdin_and_environment(
    cli, monkeypatch: pytest.MonkeyPatch, isolated_env: dict[str, Path]
) -> None:  # type: ignore[no-untyped-def]
    url = ["--base-url", "http://127.0.0.1:9"]
    piped = one_line_error(cli("login", *url, "--no-verify", stdin="tst_abc def\n"), 2)
    assert "the token from stdin holds spaces, control or non-ASCII characters" in piped
    assert not (isolated_env["config"] / "credentials.json").exists()
    monkeypatch.setenv("TICOS_TOKEN", "tst_abc\x1b[2J")
    from_env = one_line_error(cli("keys", "list", *url), 2)
    assert "the token from TICOS_TOKEN holds spaces, control or non-ASCII characters" in from_env
    assert "\x1b" not in from_env


def test_api_errors_exit_1(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert "no API key with id key_nope" in one_line_error(
        cli("keys", "revoke", "key_nope", "--yes"), 1
    )
    assert "scopes" in one_line_error(cli("keys", "create", "x", "--scope", "root"), 1)
    assert "name" in one_line_error(cli("keys", "create", "   "), 2)  # found before any request
    reader, _ = create(cli, "reader", "--scope", "api_keys:read")
    monkeypatch.setenv("TICOS_TOKEN", reader)
    assert cli("keys", "list").code == 0
    denied = one_line_error(cli("keys", "create", "more"), 1)
    assert "api_keys:write" in denied and reader not in denied
    monkeypatch.setenv("TICOS_TOKEN", "tst_" + "n" * 43)
    unknown = one_line_error(cli("keys", "list"), 1)
    assert "unknown" in unknown and "unset TICOS_TOKEN" in unknown


def test_no_secret_at_rest_after_create(cli, isolated_env: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    key = cli("keys", "create", "secret").out.strip()
    key_id = json.loads(cli("keys", "list", "--json").out)[0]["id"]
    rolled = cli("keys", "roll", key_id, "--yes").out.strip()
    assert cli("status").code == 0
    files = [p for d in isolated_env.values() if d.exists() for p in d.rglob("*") if p.is_file()]
    assert files, "the service wrote nothing?"
    for path in files:
        content = path.read_bytes()
        for secret in (key, rolled):
            assert secret.encode() not in content, path
            assert secret[3:].encode() not in content, path


def test_status_embedded_never_prints_the_token(cli, isolated_env: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    result = cli("status")
    assert result.code == 0
    token = (isolated_env["data"] / "session-token").read_text().strip()
    assert token not in result.out + result.err
    assert "Mode:        embedded local service" in result.out
    assert "Credential:  local service (" in result.out
    assert re.search(r"Account: +\S+ <\S+@\S+> \(acc_", result.out)


def test_help_documents_exit_codes(cli) -> None:  # type: ignore[no-untyped-def]
    for argv in (["--help"], ["keys", "--help"], ["keys", "create", "--help"]):
        result = cli(*argv)
        assert result.code == 0 and "exit codes:" in result.out and "2    usage error" in result.out
    assert "KEY=$(ticos-tui keys create ci)" in cli("keys", "create", "--help").out


def test_review_lists_duplicates(cli) -> None:  # type: ignore[no-untyped-def]
    assert "Nothing to review" in cli("keys", "review").out
    create(cli, "deploy")
    create(cli, "Deploy ")
    items = json.loads(cli("keys", "review", "--json").out)
    assert len(items) == 2
    assert all(i["reasons"] == ["2 active keys share this name"] for i in items)
    text = cli("keys", "review").out
    assert "2 of 2 active keys to review" in text and "ticos-tui keys revoke key_" in text


def test_accounts_create_prints_the_token_alone(cli, isolated_env: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    result = cli("accounts", "create", "Ada", "ada@example.com")
    assert result.code == 0 and re.fullmatch(r"tst_[A-Za-z0-9_-]{43}\n", result.out)
    assert "Ada" in result.err and result.out.strip() not in result.err
    assert "email" in one_line_error(cli("accounts", "create", "Bo", "not-an-email"), 2)
    assert "name" in one_line_error(cli("accounts", "create", "B\x1bo", "b@example.com"), 2)


def test_interrupt_and_unexpected_failures_stay_one_line(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from ticos_tui.cli import keys as keys_commands

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    def broken(args: object) -> int:
        raise RuntimeError("boom with tk_" + "Z" * 38)

    monkeypatch.setattr(keys_commands, "keys_list", interrupted)
    result = cli("keys", "list")
    assert result.code == 130 and result.out == "" and "Traceback" not in result.err
    monkeypatch.setattr(keys_commands, "keys_list", broken)
    err = one_line_error(cli("keys", "list"), 1)
    assert "RuntimeError: boom with [secret]" in err and "TICOS_DEBUG=1" in err


def test_embedded_errors_name_the_local_service_not_a_made_up_url(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ticos_tui.service.store.sqlite_async import SqliteStore

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")  # a bug in the service: a 500 answer

    monkeypatch.setattr(SqliteStore, "list_keys", broken)
    err = one_line_error(cli("keys", "list"), 1)
    assert "the local Ticos service failed (HTTP 500)" in err
    assert "ticos.local" not in err
