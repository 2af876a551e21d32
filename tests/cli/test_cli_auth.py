"""Several logins: `auth list|status|switch|logout` and `--login NAME` for one command."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from .conftest import Served


def _login(cli, served: Served, token: str) -> str:  # type: ignore[no-untyped-def]
    done = cli("login", "--base-url", served.url, stdin=token + "\n")
    assert done.code == 0, done.err
    return urlsplit(served.url).netloc


def test_list_marks_the_active_login_and_switch_changes_it(  # type: ignore[no-untyped-def]
    cli, served: Served, account_token: str
) -> None:
    only_local = json.loads(cli("auth", "list", "--json").out)
    assert [(r["name"], r["active"]) for r in only_local] == [("local", True)]
    host = _login(cli, served, account_token)
    rows = json.loads(cli("auth", "list", "--json").out)
    assert [(r["name"], r["active"]) for r in rows] == [("local", True), (host, False)]
    assert rows[1]["token"].startswith("file ")
    assert account_token not in cli("auth", "list").out

    assert cli("keys", "create", "on-local").code == 0
    switched = cli("auth", "switch", host)
    assert switched.code == 0 and f"Now using the server at {served.url}" in switched.err
    assert [r["active"] for r in json.loads(cli("auth", "list", "--json").out)] == [False, True]
    remote_names = [k["name"] for k in json.loads(cli("keys", "list", "--json").out)]
    assert "on-local" not in remote_names  # the default is the served instance now
    local = json.loads(cli("--login", "local", "keys", "list", "--json").out)
    assert [k["name"] for k in local] == ["on-local"]  # --login: this command only

    assert cli("auth", "switch", "local").code == 0
    assert [k["name"] for k in json.loads(cli("keys", "list", "--json").out)] == ["on-local"]
    assert cli("--login", host, "keys", "list", "--json").code == 0


def test_status_checks_each_login_against_its_server(  # type: ignore[no-untyped-def]
    cli, served: Served, account_token: str
) -> None:
    host = _login(cli, served, account_token)
    status = cli("auth", "status")
    assert status.code == 0, status.out + status.err
    assert "local  (active)" in status.out
    assert f"{host}\n  ✓ the server at {served.url}: signed in as Tess Tester <tess." in status.out
    assert account_token not in status.out + status.err


def test_logout_by_name_and_unknown_names(cli, served: Served, account_token: str) -> None:  # type: ignore[no-untyped-def]
    host = _login(cli, served, account_token)
    out = cli("auth", "logout", host)
    assert out.code == 0 and f"Forgot the token for {served.url}" in out.err
    assert [r["name"] for r in json.loads(cli("auth", "list", "--json").out)] == ["local"]
    unknown = cli("auth", "switch", "nowhere.example")
    assert unknown.code == 2 and "no login named 'nowhere.example'; known: local" in unknown.err
    assert cli("--login", "nowhere.example", "keys", "list").code == 2
