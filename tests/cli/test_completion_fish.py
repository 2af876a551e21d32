"""`ticos-tui completion fish` (issue 20 item 12): fish completes commands, subcommands, options
and scope names from the CLI's own parser, checked by a real fish."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ticos_tui.cli.completion import completion_script
from ticos_tui.cli.parser import build_parser
from ticos_tui.core.scopes import SCOPES


def _fish_completes(script: Path, line: str) -> list[str]:
    fish = shutil.which("fish")
    assert fish, "fish is needed for this test (Debian: apt-get install fish)"
    done = subprocess.run(
        [fish, "--no-config", "-c", f"source {script}; complete -C {line!r}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [row.split("\t")[0] for row in done.stdout.splitlines()]


def test_fish_completes_commands_subcommands_options_and_scopes(tmp_path: Path) -> None:
    script = tmp_path / "ticos-tui.fish"
    script.write_text(completion_script(build_parser(), "fish"), encoding="utf-8")
    assert sorted(_fish_completes(script, "ticos-tui keys r")) == [
        "rename",
        "review",
        "revoke",
        "roll",
    ]
    assert "--grace" in _fish_completes(script, "ticos-tui keys roll x --g")
    scopes = _fish_completes(script, "ticos-tui keys create x --scope ")
    assert set(SCOPES) <= set(scopes)
    assert "keys" in _fish_completes(script, "ticos-tui ")
