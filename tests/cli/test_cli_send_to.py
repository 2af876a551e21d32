"""`keys create/roll --to DEST`: the key goes to the store on stdin, not to stdout (unless
--print); a failed store prints it after all and exits 1; a roll names the last destination."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.stand_ins import StandIns, make_stand_ins
from ticos_tui.core.keyformat import is_well_formed_key


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_stand_ins(tmp_path, monkeypatch)


def test_create_to_gh_sends_the_key_on_stdin_and_prints_nothing(cli, stand_ins: StandIns) -> None:  # type: ignore[no-untyped-def]
    stand_ins.install("gh")
    made = cli(
        "keys", "create", "ci", "--to", "gh:TICOS_API_KEY", "--repo", "acme/api", "--env", "prod"
    )
    assert made.code == 0, made.err
    assert made.out == ""
    (call,) = stand_ins.calls()
    assert call["argv"] == [
        "gh",
        "secret",
        "set",
        "TICOS_API_KEY",
        "--repo",
        "acme/api",
        "--env",
        "prod",
    ]
    assert is_well_formed_key(call["stdin"])
    assert call["stdin"] not in call["cmdline"] and call["stdin"] not in call["environ"]
    assert "stored in GitHub secret TICOS_API_KEY of acme/api (environment prod)" in made.err
    assert call["stdin"] not in made.err


def test_print_shows_the_sent_key_too(cli, stand_ins: StandIns) -> None:  # type: ignore[no-untyped-def]
    stand_ins.install("doppler")
    made = cli("keys", "create", "ci", "--to", "doppler:TICOS_API_KEY", "--print")
    assert made.code == 0
    assert made.out == stand_ins.calls()[0]["stdin"] + "\n"


def test_json_without_print_leaves_the_key_out(cli, stand_ins: StandIns) -> None:  # type: ignore[no-untyped-def]
    stand_ins.install("doppler")
    made = cli("keys", "create", "ci", "--to", "doppler:X", "--json")
    assert made.code == 0
    data = json.loads(made.out)
    assert data["name"] == "ci" and "key" not in data


def test_a_failed_store_prints_the_key_and_exits_1(  # type: ignore[no-untyped-def]
    cli, stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins.install("vault")
    monkeypatch.setenv("STAND_IN_FAIL_WHEN", "kv put")
    monkeypatch.setenv("STAND_IN_MESSAGE", "Error writing data: permission denied")
    made = cli("keys", "create", "ci", "--to", "vault:secret/app")
    assert made.code == 1
    key = made.out.removesuffix("\n")
    assert is_well_formed_key(key)
    assert "NOT stored: vault failed (exit 1): Error writing data: permission denied" in made.err
    assert "stored in" not in made.err


def test_a_missing_tool_is_named_and_the_key_still_printed(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    made = cli("keys", "create", "ci", "--to", "op:Private/Ticos")
    assert made.code == 1
    assert is_well_formed_key(made.out.strip())
    assert "op was not found on PATH: install the 1Password CLI" in made.err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--to", "dropbox:x"], "unknown destination 'dropbox'"),
        (["--repo", "a/b"], "--repo, --env and --print go with --to DEST"),
        (["--to", "pass:x", "--repo", "a/b"], "--repo and --env go with --to gh:NAME"),
    ],
)
def test_a_bad_destination_is_refused_before_any_key_is_made(
    cli, argv: list[str], words: str
) -> None:  # type: ignore[no-untyped-def]
    made = cli("keys", "create", "ci", *argv)
    assert made.code == 2
    assert words in made.err
    assert json.loads(cli("keys", "list", "--json").out) == []


def test_user_defined_destination_from_config(
    cli, stand_ins: StandIns, isolated_env: dict[str, Path]
) -> None:  # type: ignore[no-untyped-def]
    stand_ins.install("team-store")
    isolated_env["config"].mkdir(mode=0o700, exist_ok=True)
    (isolated_env["config"] / "config.toml").write_text(
        '[[destinations]]\nname = "team"\ncommand = ["team-store", "put", "{target}"]\n'
    )
    made = cli("keys", "create", "ci", "--to", "team:ci/key")
    assert made.code == 0, made.err
    assert stand_ins.calls()[0]["argv"] == ["team-store", "put", "ci/key"]
    assert "stored in team:ci/key" in made.err


def test_roll_offers_the_last_destination_and_the_memory_is_private(  # type: ignore[no-untyped-def]
    cli, stand_ins: StandIns, isolated_env: dict[str, Path]
) -> None:
    stand_ins.install("gh")
    assert cli("keys", "create", "ci", "--to", "gh:TICOS_API_KEY@acme/api").code == 0
    memory = isolated_env["config"] / "last-destinations.json"
    assert stat.S_IMODE(os.stat(memory).st_mode) == 0o600
    assert "gh:TICOS_API_KEY@acme/api" in memory.read_text()
    rolled = cli("keys", "roll", "ci", "--grace", "1h", "--json")
    assert rolled.code == 0
    assert "went to gh:TICOS_API_KEY@acme/api: add --to gh:TICOS_API_KEY@acme/api" in rolled.err
    new_id = json.loads(rolled.out)["id"]
    again = cli("keys", "roll", new_id, "--grace", "1h", "--to", "gh:TICOS_API_KEY@acme/api")
    assert again.code == 0 and again.out == ""
    assert [c["argv"][3] for c in stand_ins.calls()] == ["TICOS_API_KEY", "TICOS_API_KEY"]
    assert stand_ins.calls()[1]["stdin"] not in (rolled.out, stand_ins.calls()[0]["stdin"])
