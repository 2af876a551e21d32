"""Each built-in destination runs its tool with the exact argv, the key on stdin only: never in
the tool's arguments or environment (read from its own /proc/PID while it runs)."""

from __future__ import annotations

import json

import pytest

from tests.stand_ins import StandIns
from ticos_tui.core.errors import UsageError
from ticos_tui.handoff.destinations import parse
from ticos_tui.handoff.send import send

KEY = "tk_live_Zx9Qm2Pq7Rt4Vw8Yb3Nc6Df1Gh5Jk0Lp"

CASES = [
    ("gh:TICOS_API_KEY@acme/api", ["gh", "secret", "set", "TICOS_API_KEY", "--repo", "acme/api"], KEY),
    (
        "gh:TICOS_API_KEY --repo acme/api --env prod",
        ["gh", "secret", "set", "TICOS_API_KEY", "--repo", "acme/api", "--env", "prod"],
        KEY,
    ),
    ("gh:TICOS_API_KEY", ["gh", "secret", "set", "TICOS_API_KEY"], KEY),
    ("vault:secret/app#api_key", ["vault", "kv", "put", "secret/app", "api_key=-"], KEY),
    ("vault:secret/app", ["vault", "kv", "put", "secret/app", "api_key=-"], KEY),
    (
        "aws:prod/ticos",
        [
            "aws", "secretsmanager", "put-secret-value", "--secret-id", "prod/ticos",
            "--secret-string", "file:///dev/stdin",
        ],
        KEY,
    ),
    ("gcloud:ticos-key", ["gcloud", "secrets", "versions", "add", "ticos-key", "--data-file=-"], KEY),
    ("doppler:TICOS_API_KEY", ["doppler", "secrets", "set", "TICOS_API_KEY", "--silent"], KEY),
]  # fmt: skip


def _assert_stdin_only(call: dict[str, str]) -> None:
    assert KEY not in call["cmdline"], "the key was in the tool's arguments"
    assert KEY not in call["environ"], "the key was in the tool's environment"
    assert call["cmdline"], "the stand-in read its own /proc/PID/cmdline"
    assert "PATH=" in call["environ"], "the stand-in read its own /proc/PID/environ"


@pytest.mark.parametrize(("text", "argv", "stdin"), CASES, ids=[c[0] for c in CASES])
def test_each_tool_gets_exact_argv_and_the_key_on_stdin_only(
    stand_ins: StandIns, text: str, argv: list[str], stdin: str
) -> None:
    stand_ins.install(argv[0])
    dest = parse(text, key_name="ci")
    sent = send(dest, KEY)
    assert sent.ok, sent.message
    assert sent.message == f"stored in {dest.label}"
    (call,) = stand_ins.calls()
    assert call["argv"] == argv
    assert call["stdin"] == stdin
    _assert_stdin_only(call)


def test_op_gets_the_item_as_a_json_template_on_stdin(stand_ins: StandIns) -> None:
    stand_ins.install("op")
    key = KEY + '"\\'  # JSON-special characters survive the template
    sent = send(parse("op:Private/Ticos CI key", key_name="ci deploy"), key)
    assert sent.ok, sent.message
    (call,) = stand_ins.calls()
    assert call["argv"] == ["op", "item", "create", "--vault", "Private", "-"]
    item = json.loads(call["stdin"])
    assert item["title"] == "Ticos CI key"
    assert item["category"] == "API_CREDENTIAL"
    assert [f["value"] for f in item["fields"] if f["type"] == "CONCEALED"] == [key]
    assert "ci deploy" in json.dumps(item)
    _assert_stdin_only(call)


def test_user_defined_destination_runs_its_command_with_target(stand_ins: StandIns) -> None:
    stand_ins.install("store-secret")
    custom = {"team": ["store-secret", "--path", "keys/{target}"]}
    dest = parse("team:ci", custom=custom)
    assert send(dest, KEY).message == "stored in team:ci"
    (call,) = stand_ins.calls()
    assert call["argv"] == ["store-secret", "--path", "keys/ci"]
    assert call["stdin"] == KEY
    _assert_stdin_only(call)


def test_aws_creates_the_secret_when_it_does_not_exist_yet(
    stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins.install("aws")
    monkeypatch.setenv("STAND_IN_FAIL_WHEN", "put-secret-value")
    monkeypatch.setenv("STAND_IN_MESSAGE", "An error occurred (ResourceNotFoundException)")
    sent = send(parse("aws:prod/ticos"), KEY)
    assert sent.ok, sent.message
    first, second = stand_ins.calls()
    assert first["argv"][:3] == ["aws", "secretsmanager", "put-secret-value"]
    assert second["argv"] == [
        "aws", "secretsmanager", "create-secret", "--name", "prod/ticos",
        "--secret-string", "file:///dev/stdin",
    ]  # fmt: skip
    assert second["stdin"] == KEY
    _assert_stdin_only(second)


def test_gcloud_creates_the_secret_when_it_does_not_exist_yet(
    stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins.install("gcloud")
    monkeypatch.setenv("STAND_IN_FAIL_WHEN", "versions add")
    monkeypatch.setenv("STAND_IN_MESSAGE", "ERROR: NOT_FOUND: Secret [ticos] not found")
    assert send(parse("gcloud:ticos"), KEY).ok
    assert stand_ins.calls()[1]["argv"] == [
        "gcloud", "secrets", "create", "ticos", "--data-file=-",
    ]  # fmt: skip


def test_a_failing_tool_is_reported_in_its_own_words_sanitised_without_the_key(
    stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_ins.install("vault")
    monkeypatch.setenv("STAND_IN_FAIL_WHEN", "kv put")
    monkeypatch.setenv("STAND_IN_EXIT", "2")
    monkeypatch.setenv("STAND_IN_MESSAGE", f"permission denied \x1b[31mfor {KEY}")
    sent = send(parse("vault:secret/app#api_key"), KEY)
    assert not sent.ok
    assert "stored" not in sent.message
    assert sent.message.startswith("vault failed (exit 2): permission denied")
    assert KEY not in sent.message and "<the key>" in sent.message
    assert "\x1b" not in sent.message


@pytest.mark.parametrize(
    ("text", "tool", "hint"),
    [
        ("gh:X", "gh", "https://cli.github.com"),
        ("vault:secret/a", "vault", "developer.hashicorp.com"),
        ("op:V/T", "op", "developer.1password.com"),
        ("doppler:X", "doppler", "docs.doppler.com"),
        ("aws:x", "aws", "aws.amazon.com/cli"),
        ("gcloud:x", "gcloud", "cloud.google.com/sdk"),
        ("pass:x", "pass", "apt install pass"),
    ],
)
def test_a_missing_tool_is_named_with_how_to_install_it(
    stand_ins: StandIns, monkeypatch: pytest.MonkeyPatch, text: str, tool: str, hint: str
) -> None:
    monkeypatch.setenv("PATH", str(stand_ins.folder))  # nothing installed
    sent = send(parse(text), KEY)
    assert not sent.ok
    assert sent.message.startswith(f"{tool} was not found on PATH")
    assert hint in sent.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no destination given"),
        ("dropbox:x", "unknown destination 'dropbox'"),
        ("pass:", "needs a target"),
        ("op:OnlyVault", "op:VAULT/TITLE"),
        ("gh:X --org acme", "unknown option '--org'"),
        ("gh:X 'unclosed", "No closing quotation"),
    ],
)
def test_a_bad_destination_says_what_to_write(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words.replace("'", ".")):
        parse(text)


def test_a_parsed_destination_parses_back_to_itself() -> None:
    for text in ("gh:X@o/r --env prod", "vault:secret/a", "op:V/T t", "keyring:svc#me", "pass:a/b"):
        dest = parse(text, key_name="ci")
        assert parse(dest.text, key_name="ci") == dest
