"""Several keys at once from the CLI: `keys revoke|delete KEY...` (one confirmation listing them
all; a partial failure says which were done) and `keys list --name GLOB --limit N`."""

from __future__ import annotations

import json

import pytest

from ticos_tui.client.http import TicosClient
from ticos_tui.core.errors import ServerError

from .helpers import create


def _statuses(cli) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k["name"]: k["status"] for k in json.loads(cli("keys", "list", "--json").out)}


def test_revoke_several_by_id_and_name_with_one_confirmation(cli) -> None:  # type: ignore[no-untyped-def]
    _, a = create(cli, "ci-a")
    create(cli, "ci-b")
    create(cli, "keep")
    asked = cli("keys", "revoke", a["id"], "ci-b", stdin="y\n", tty=True)
    assert asked.code == 0, asked.err
    assert asked.err.count("[y/N]") == 1
    lines = asked.err.splitlines()
    assert lines[0] == "Revoke these 2 keys?"
    assert "“ci-a”" in lines[1] and "“ci-b”" in lines[2]
    assert "Revoked 2 of 2 keys." in asked.err
    assert _statuses(cli) == {"ci-a": "revoked", "ci-b": "revoked", "keep": "active"}


def test_declined_bulk_revoke_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    create(cli, "ci-a")
    create(cli, "ci-b")
    declined = cli("keys", "revoke", "ci-a", "ci-b", stdin="n\n", tty=True)
    assert declined.code == 2 and "nothing was revoked" in declined.err
    assert set(_statuses(cli).values()) == {"active"}


def test_an_unknown_name_stops_everything_before_anything_is_done(cli) -> None:  # type: ignore[no-untyped-def]
    create(cli, "ci-a")
    result = cli("keys", "delete", "ci-a", "nope", "--yes")
    assert result.code == 1 and "no key has the name or id “nope”" in result.err
    assert _statuses(cli) == {"ci-a": "active"}


def test_delete_several_as_json(cli) -> None:  # type: ignore[no-untyped-def]
    create(cli, "ci-a")
    create(cli, "ci-b")
    result = cli("keys", "delete", "ci-a", "ci-b", "--yes", "--json")
    assert result.code == 0
    assert sorted((k["name"], k["deleted"]) for k in json.loads(result.out)) == [
        ("ci-a", True),
        ("ci-b", True),
    ]
    assert _statuses(cli) == {}


def test_a_partial_failure_says_which_keys_were_done_and_exits_1(  # type: ignore[no-untyped-def]
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, a = create(cli, "ci-a")
    _, b = create(cli, "ci-b")
    real = TicosClient.revoke_key

    async def flaky(self: TicosClient, key_id: str):  # type: ignore[no-untyped-def]
        if key_id == b["id"]:
            raise ServerError("the server failed (503); try again later", status=503)
        return await real(self, key_id)

    monkeypatch.setattr(TicosClient, "revoke_key", flaky)
    result = cli("keys", "revoke", a["id"], b["id"], "--yes")
    assert result.code == 1
    assert f"Revoked key “ci-a” ({a['id']}" in result.err
    assert f"NOT revoked: key “ci-b” ({b['id']}" in result.err and "503" in result.err
    assert "Revoked 1 of 2 keys." in result.err
    assert _statuses(cli) == {"ci-a": "revoked", "ci-b": "active"}


def test_list_by_name_glob_and_limit(cli) -> None:  # type: ignore[no-untyped-def]
    for name in ("ci-a", "ci-b", "web", "ci-c"):
        create(cli, name)
    names = [k["name"] for k in json.loads(cli("keys", "list", "--name", "ci-*", "--json").out)]
    assert names == ["ci-c", "ci-b", "ci-a"]  # newest first
    limited = json.loads(cli("keys", "list", "--name", "ci-*", "--limit", "2", "--json").out)
    assert [k["name"] for k in limited] == ["ci-c", "ci-b"]
    none = cli("keys", "list", "--name", "prod-*")
    assert none.code == 0 and none.err.strip() == "No keys named prod-*."
    bad = cli("keys", "list", "--limit", "0")
    assert bad.code == 2 and "must be 1 or more" in bad.err
