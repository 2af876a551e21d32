"""Plain HTTP to another machine: `login` warns and refuses to send a session token there without
`--insecure`; `status` warns. Loopback (the local service) is not warned about."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.client.fakeserver import free_port

TOKEN = "tst_" + "A" * 43


def _stored(isolated_env: dict[str, Path]) -> bool:
    return (isolated_env["config"] / "credentials.json").exists()


@pytest.mark.parametrize("verify", [[], ["--no-verify"]], ids=["verify", "no-verify"])
def test_login_over_plain_http_to_another_host_is_refused(
    cli,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
    verify: list[str],
) -> None:
    """The attack: `login --base-url http://<host>` stored the token and said nothing."""
    url = f"http://0.0.0.0:{free_port()}/v1"  # not loopback; nothing listens there
    result = cli("login", "--base-url", url, *verify, stdin=TOKEN + "\n")
    assert result.code == 2, result
    assert "plain HTTP" in result.err and "--insecure" in result.err
    assert "Token accepted" not in result.err and TOKEN not in result.err + result.out
    assert not _stored(isolated_env)


def test_insecure_login_over_plain_http_warns_and_stores(
    cli,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
) -> None:
    url = "http://keys.example.test/v1"
    result = cli("login", "--base-url", url, "--no-verify", "--insecure", stdin=TOKEN + "\n")
    assert result.code == 0, result
    assert "plain HTTP" in result.err and "keys.example.test" in result.err
    assert _stored(isolated_env)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.1.2.3"])
def test_loopback_and_https_are_not_warned_about(
    cli,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
    host: str,
) -> None:
    for url in (f"http://{host}:8765/v1", "https://keys.example.test/v1"):
        result = cli("login", "--base-url", url, "--no-verify", stdin=TOKEN + "\n")
        assert result.code == 0, result
        assert "plain HTTP" not in result.err


def test_status_warns_about_plain_http(
    cli,  # type: ignore[no-untyped-def]
    isolated_env: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TICOS_TOKEN", TOKEN)
    url = f"http://0.0.0.0:{free_port()}/v1"
    result = cli("status", "--base-url", url, "--timeout", "2")
    assert "plain HTTP" in result.err and "0.0.0.0" in result.err
    https = cli("status", "--base-url", "https://127.0.0.1:1/v1", "--timeout", "2")
    assert "plain HTTP" not in https.err
