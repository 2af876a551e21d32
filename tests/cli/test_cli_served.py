"""The CLI against a real `ticos-tui serve` on loopback, and as the installed console script."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from ticos_tui.core.keyformat import is_well_formed_key

from .conftest import SCRIPT, Served, run_script
from .helpers import one_line_error


@pytest.fixture
def remote(served: Served, account_token: str, monkeypatch: pytest.MonkeyPatch) -> Served:
    monkeypatch.setenv("TICOS_BASE_URL", served.url)
    monkeypatch.setenv("TICOS_TOKEN", account_token)
    return served


def test_keys_workflow_served(cli, remote: Served) -> None:  # type: ignore[no-untyped-def]
    made = cli("keys", "create", "remote ci", "--scope", "api_keys:read", "--expires-in", "12h")
    key = made.out.strip()
    assert made.code == 0 and made.out == key + "\n" and is_well_formed_key(key)
    keys = json.loads(cli("keys", "list", "--json").out)
    assert [k["name"] for k in keys] == ["remote ci"]  # a fresh account sees only its own
    key_id = keys[0]["id"]
    assert "remote ci" in cli("keys", "list").out
    assert cli("keys", "rename", key_id, "remote ci 2").code == 0
    assert "Total: 0 requests" in cli("keys", "usage", key_id, "--days", "3").out
    assert "expires in 12 hours" in cli("keys", "review").out
    rolled = cli("keys", "roll", key_id, "--grace", "30m")
    assert rolled.code == 0 and is_well_formed_key(rolled.out.strip())
    assert cli("keys", "revoke", key_id, "--yes").code == 0
    assert cli("keys", "delete", key_id, "--yes").code == 0
    status = cli("status")
    assert f"Mode:        remote (127.0.0.1:{remote.url.split(':')[2].split('/')[0]})" in status.out
    assert "Tess Tester <tess." in status.out and "TICOS_TOKEN" in status.out
    assert (remote.data_dir / "ticos.db").exists()


def test_flags_reach_the_served_service(
    cli,
    served: Served,
    account_token: str,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TICOS_TOKEN", account_token)
    result = cli("keys", "list", "--base-url", served.url.removesuffix("/v1"))
    assert result.code == 0 and result.err == "No keys.\n"
    assert cli("--base-url", served.url, "keys", "create", "x").code == 0


def test_revoked_key_as_token_names_the_fix(
    cli, remote: Served, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    key = cli("keys", "create", "short-lived").out.strip()
    key_id = json.loads(cli("keys", "list", "--json").out)[0]["id"]
    assert cli("keys", "revoke", key_id, "--yes").code == 0
    monkeypatch.setenv("TICOS_TOKEN", key)
    err = one_line_error(cli("keys", "list"), 1)
    assert "revoked" in err and "TICOS_TOKEN" in err
    assert f"ticos-tui login --base-url {remote.url}" in err and key not in err


def test_login_status_logout(
    cli,
    served: Served,
    account_token: str,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
) -> None:
    bad = cli("login", "--base-url", served.url, stdin="tst_" + "x" * 43 + "\n")
    assert "not signed in" in one_line_error(bad, 1)
    store = isolated_env["config"] / "credentials.json"
    assert not store.exists()

    login = cli("login", "--base-url", served.url, stdin=account_token + "\n")
    assert login.code == 0, login
    assert "signed in as Tess Tester" in login.err and f"file {store} (mode 0600)" in login.err
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert account_token not in login.out + login.err

    status = cli("status", "--base-url", served.url)
    assert status.code == 0 and f"Credential:  file {store}" in status.out
    assert account_token not in status.out + status.err
    assert cli("keys", "list", "--base-url", served.url).code == 0

    logout = cli("logout", "--base-url", served.url)
    assert logout.code == 0 and "Forgot the token" in logout.err and not store.exists()
    after = one_line_error(cli("keys", "list", "--base-url", served.url), 1)
    assert "no credential was sent" in after and "ticos-tui login" in after
    assert "nothing to forget" in cli("logout", "--base-url", served.url).err


def test_login_without_verify_and_empty_input(cli) -> None:  # type: ignore[no-untyped-def]
    assert "no token" in one_line_error(cli("login", "--base-url", "https://h.test", stdin="\n"), 2)
    stored = cli("login", "--base-url", "https://h.test", "--no-verify", stdin="tst_abc\n")
    assert stored.code == 0 and "https://h.test/v1" in stored.err


def test_console_script_key_capture(isolated_env: dict[str, Path]) -> None:
    """`KEY=$(ticos-tui keys create x)` captures exactly the key, in a real shell."""
    proc = subprocess.run(
        ["bash", "-c", f'KEY=$("{SCRIPT}" keys create x) && printf "[%s]" "$KEY"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout[1:-1]
    assert proc.stdout == f"[{key}]" and is_well_formed_key(key)
    assert "Created key “x”" in proc.stderr and key not in proc.stderr
    listed = run_script("keys", "list", "--json")
    assert listed.code == 0 and json.loads(listed.out)[0]["snippet"].startswith(key[:7])


def test_console_script_served_json(served: Served, account_token: str) -> None:
    env = {"TICOS_TOKEN": account_token}
    made = run_script("keys", "create", "proc", "--json", "--base-url", served.url, env=env)
    assert made.code == 0, made.err
    assert is_well_formed_key(json.loads(made.out)["key"])
    missing = run_script("keys", "get-nothing", "--base-url", served.url, env=env)
    assert missing.code == 2 and "Traceback" not in missing.err and missing.out == ""
