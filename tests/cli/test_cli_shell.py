"""The CLI as a shell user expects (issues 12, 15): names for ids, get/status/delete as JSON,
a confirmed immediate roll, examples in every --help, and a key table that fits the terminal."""

from __future__ import annotations

import json
import sys

import pytest
from rich.cells import cell_len

from .helpers import create, one_line_error


def key_named(cli, name: str) -> dict:  # type: ignore[no-untyped-def]
    return next(k for k in json.loads(cli("keys", "list", "--json").out) if k["name"] == name)


# -- a key by its name --


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "Rapid", "--json"],
        ["usage", "Rapid", "--json"],
        ["rename", "Rapid", "Rapid"],
        ["revoke", "Rapid", "--yes"],
        ["roll", "Rapid", "--grace", "1h"],
        ["delete", "Rapid", "--yes"],
    ],
)
def test_every_keys_command_takes_a_unique_name(cli, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "Rapid")
    create(cli, "Rapid spare")
    result = cli("keys", *argv)
    assert result.code == 0, result
    assert "no such endpoint" not in result.err
    if argv[0] == "get":
        assert json.loads(result.out)["id"] == made["id"]
    if argv[0] in ("revoke", "delete", "roll"):
        assert made["id"] in result.err  # the message names the key the name stood for
    if argv[0] == "delete":
        assert made["id"] not in [k["id"] for k in json.loads(cli("keys", "list", "--json").out)]


def test_a_shared_name_lists_the_ids_to_choose_from(cli) -> None:  # type: ignore[no-untyped-def]
    _, first = create(cli, "Twin")
    _, second = create(cli, "Twin")
    err = one_line_error(cli("keys", "revoke", "Twin", "--yes"), 2)
    assert first["id"] in err and second["id"] in err and "2 keys are named “Twin”" in err
    assert {k["status"] for k in json.loads(cli("keys", "list", "--json").out)} == {"active"}


def test_an_unknown_name_or_id_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    create(cli, "Rapid")
    by_name = one_line_error(cli("keys", "revoke", "Rapdi", "--yes"), 1)
    assert "no key has the name or id “Rapdi”" in by_name and "keys list" in by_name
    by_id = one_line_error(cli("keys", "get", "key_nope"), 1)
    assert "no API key with id key_nope" in by_id and "no such endpoint" not in by_id


# -- get, status and delete as data --


def test_keys_get_prints_the_key_readably_or_as_json(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "Reader [b]x[/b]", "--scope", "api_keys:read", "--expires-in", "30d")
    data = json.loads(cli("keys", "get", made["id"], "--json").out)
    assert data == {k: v for k, v in made.items() if k != "key"}
    text = cli("keys", "get", made["id"])
    assert text.code == 0 and text.err == ""
    fields = dict(line.split(":", 1) for line in text.out.splitlines())
    assert fields["Name"].strip() == "Reader [b]x[/b]" and fields["ID"].strip() == made["id"]
    assert fields["Scopes"].strip() == "api_keys:read" and fields["Status"].strip() == "active"
    assert fields["Expires"].strip().startswith("in 30 days (")
    assert fields["Last used"].strip() == "never"


def test_status_embedded_says_no_network_and_has_json(cli) -> None:  # type: ignore[no-untyped-def]
    text = cli("status").out
    assert "Base URL:    embedded, no network" in text and "ticos.local" not in text
    data = json.loads(cli("status", "--json").out)
    assert data["mode"] == "embedded" and data["base_url"] is None
    assert data["account"]["id"].startswith("acc_") and data["data_dir"]
    assert "session-token" in data["credential"]


def test_keys_delete_json_prints_the_deleted_key(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "gone soon")
    result = cli("keys", "delete", made["id"], "--yes", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["id"] == made["id"] and data["deleted"] is True and data["name"] == "gone soon"
    assert json.loads(cli("keys", "list", "--json").out) == []


# -- an immediate roll is confirmed like a revoke --


def test_roll_now_refuses_without_a_tty(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "live")
    for argv in (["--grace", "0"], ["--grace", "now"], []):
        result = cli("keys", "roll", made["id"], *argv, stdin="y\n")
        err = one_line_error(result, 2)
        assert "not a terminal" in err and "--yes" in err and result.out == ""
    assert key_named(cli, "live")["status"] == "active"
    graced = cli("keys", "roll", made["id"], "--grace", "1h")
    assert graced.code == 0 and graced.out.startswith("tk_")


def test_roll_now_asks_on_a_tty(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "live")
    declined = cli("keys", "roll", made["id"], stdin="n\n", tty=True)
    assert declined.code == 2 and "“live”" in declined.err and "[y/N]" in declined.err
    assert declined.out == "" and key_named(cli, "live")["status"] == "active"
    accepted = cli("keys", "roll", made["id"], stdin="y\n", tty=True)
    assert accepted.code == 0 and accepted.out.startswith("tk_")
    assert "stopped working now" in accepted.err
    yes = cli("keys", "roll", key_named(cli, "live")["id"], "--yes")
    assert yes.code == 0 and yes.out.startswith("tk_")


# -- help --


def _commands(cli) -> list[list[str]]:  # type: ignore[no-untyped-def]
    keys = ["list", "create", "get", "rename", "revoke", "delete", "roll", "usage", "review"]
    top = ["serve", "login", "logout", "status", "scan"]
    return [[c] for c in top] + [["accounts", "create"]] + [["keys", c] for c in keys]


def test_every_command_help_ends_with_examples(cli) -> None:  # type: ignore[no-untyped-def]
    for argv in _commands(cli):
        out = cli(*argv, "--help").out
        assert "examples:" in out, argv
        examples = out.split("examples:", 1)[1]
        assert "  ticos-tui " + " ".join(argv) in examples, argv
    top = cli("--help").out
    assert "TICOS_DEBUG" in top and "traceback" in top.split("TICOS_DEBUG", 1)[1].splitlines()[0]


# -- the key table fits the terminal --


def _long_keys(cli) -> None:  # type: ignore[no-untyped-def]
    scopes = ["api_keys:read", "api_keys:write", "usage:read", "terminals:read", "agents:invoke"]
    args = [a for s in scopes for a in ("--scope", s)]
    create(cli, "My Application Integration Key for the nightly reports", *args)
    create(cli, "short", "--expires-in", "30d")


@pytest.mark.parametrize("columns", [120, 80, 60])
def test_keys_list_fits_a_terminal(cli, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:  # type: ignore[no-untyped-def]
    _long_keys(cli)
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    out = cli("keys", "list").out
    lines = out.splitlines()
    assert len(lines) == 3 and all(cell_len(line) <= columns for line in lines), out
    assert lines[0].startswith("ID") and "NAME" in lines[0]
    ids = [k["id"] for k in json.loads(cli("keys", "list", "--json").out)]
    assert all(any(line.startswith(i) for line in lines) for i in ids)  # ids are never cut
    assert "My Application I" in out  # the name keeps at least 16 cells; columns go first
    if columns == 120:
        assert "SCOPES" in lines[0] and "LAST USED" in lines[0] and "EXPIRES" in lines[0]


def test_keys_list_piped_keeps_every_word(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _long_keys(cli)
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("keys", "list").out
    assert "My Application Integration Key for the nightly reports" in out
    assert "api_keys:read, api_keys:write, usage:read, terminals:read, agents:invoke" in out


def test_review_does_not_suggest_rolling_a_key_being_rolled(cli) -> None:  # type: ignore[no-untyped-def]
    _, old = create(cli, "deploy")
    assert cli("keys", "roll", old["id"], "--grace", "24h").code == 0
    text = cli("keys", "review").out
    assert f"keys roll {old['id']}" not in text and "share this name" not in text
    assert "being rolled: replaced by key_" in text and f"keys revoke {old['id']}" in text
    items = json.loads(cli("keys", "review", "--json").out)
    assert [i["key"]["id"] for i in items] == [old["id"]]
    newest = key_named(cli, "deploy")  # the list is newest first: the successor
    assert newest["id"] != old["id"] and items[0]["replaced_by"] == newest["id"]
