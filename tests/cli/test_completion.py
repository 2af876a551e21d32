"""Shell completion generated from the CLI's parser: bash completes real subcommands."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticos_tui.cli import build_parser
from ticos_tui.cli.completion import SHELLS, completion_script
from ticos_tui.core.errors import UsageError

from .helpers import bash_completions


@pytest.fixture
def bash_script(tmp_path: Path) -> Path:
    path = tmp_path / "ticos-tui.bash"
    path.write_text(completion_script(build_parser(), "bash"))
    return path


def test_bash_completes_keys_r(bash_script: Path) -> None:
    assert sorted(bash_completions(bash_script, "ticos-tui", "keys", "r")) == [
        "rename",
        "review",
        "revoke",
        "roll",
    ]


def test_bash_completes_commands_and_options(bash_script: Path) -> None:
    commands = bash_completions(bash_script, "ticos-tui", "")
    assert {"keys", "login", "serve", "status"} <= set(commands)
    assert "--grace" in bash_completions(bash_script, "ticos-tui", "keys", "roll", "--g")


@pytest.mark.parametrize("shell", SHELLS)
def test_every_shell_gets_a_script_naming_the_program(shell: str) -> None:
    script = completion_script(build_parser(), shell)
    assert "ticos-tui" in script and "revoke" in script


def test_unknown_shell_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="bash, zsh, tcsh"):
        completion_script(build_parser(), "fish-and-chips")
