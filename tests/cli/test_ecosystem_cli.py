"""`ticos-tui web` and `ticos-tui completion` as commands, and `login` through a proxy.

These need the CLI wiring described in the i15 report (the commands live in ticos_tui/cli/web.py
and ticos_tui/cli/completion.py); they fail until the CLI registers them.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.client.fakeserver import free_port
from tests.client.proxy import recording_proxy
from tests.web.conftest import KEY_NAME, start_web, stop
from tests.web.terminal import read_until

from .conftest import SCRIPT
from .helpers import bash_completions


def test_completion_command_prints_a_working_bash_script(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("completion", "bash")
    assert result.code == 0 and result.err == ""
    script = tmp_path / "ticos-tui.bash"
    script.write_text(result.out)
    assert sorted(bash_completions(script, "ticos-tui", "keys", "r")) == [
        "rename",
        "review",
        "revoke",
        "roll",
    ]
    assert "completion" in bash_completions(script, "ticos-tui", "comp")


def test_completion_imports_shtab_only_when_asked(cli) -> None:  # type: ignore[no-untyped-def]
    sys.modules.pop("shtab", None)
    assert cli("keys", "list").code == 0
    assert "shtab" not in sys.modules
    assert cli("completion", "zsh").code == 0 and "shtab" in sys.modules


def test_completion_of_an_unknown_shell_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("completion", "fish-and-chips")
    assert result.code == 2 and "bash" in result.err


def test_web_on_a_reachable_host_needs_public(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("web", "--host", "0.0.0.0")
    assert result.code == 2 and "--public" in result.err


def test_web_without_the_extra_names_it(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    result = cli("web", "--port", str(free_port()))
    assert result.code == 2 and "-m pip install 'textual-serve" in result.err


def test_web_command_serves_the_keys_table_with_the_same_data_dir(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    data = tmp_path / "elsewhere"
    assert cli("--data-dir", str(data), "keys", "create", KEY_NAME).code == 0
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TICOS_HOME"}  # only --data-dir says where
    server = start_web(
        [str(SCRIPT), "web", "--port", str(port), "--data-dir", str(data)],
        port,
        env,
        tmp_path / "web",
    )
    try:
        text = asyncio.run(
            read_until(
                f"ws://127.0.0.1:{port}/ws",
                ["Your API Keys", KEY_NAME, "1 key"],  # the count once the list is in
                origin=server.url,
                cookie=server.cookie,
            )
        )
        assert "1 key" in text
    finally:
        stop(server)


def test_login_goes_through_the_proxy(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with recording_proxy() as (proxy, seen):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        result = cli(
            "login", "--base-url", "http://ticos.invalid", "--insecure", stdin="tst_token\n"
        )
    assert seen == ["GET http://ticos.invalid/v1/account HTTP/1.1"]
    assert result.code == 0 and "Proxy Pat" in result.err
