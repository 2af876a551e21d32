"""A KEY argument completes to the ids and names of the active login's keys, in a real bash
and a real fish (issue 20 item 12); `keys list --complete` is what they ask."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ticos_tui.cli.completion import completion_script
from ticos_tui.cli.parser import build_parser


@pytest.fixture
def keys(cli) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Two keys of the embedded service in the test's data folder: name -> id."""
    made = {}
    for name in ("ci deploy", "nightly"):
        done = cli("keys", "create", name, "--json")
        assert done.code == 0, done.err
        made[name] = json.loads(done.out)["id"]
    return made


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # where `ticos-tui` is installed
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_keys_list_complete_prints_ids_and_names(cli, keys) -> None:  # type: ignore[no-untyped-def]
    lines = cli("keys", "list", "--complete").out.splitlines()
    assert sorted(lines) == sorted([*keys.values(), *keys.keys()])


def test_bash_completes_key_ids_and_names(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "ticos-tui.bash"
    script.write_text(completion_script(build_parser(), "bash"))
    program = (
        f"source '{script}'\n"
        "COMP_WORDS=(ticos-tui keys revoke ''); COMP_CWORD=3\n"
        'COMP_LINE="ticos-tui keys revoke "; COMP_POINT=${#COMP_LINE}\n'
        "_shtab_ticos_tui ticos-tui\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", program],
        capture_output=True, text=True, timeout=60, env=_env(), check=True,
    )  # fmt: skip
    assert sorted(done.stdout.splitlines()) == sorted(
        [*keys.values(), "ci\\ deploy", "nightly"]  # a name with a space comes quoted
    )


def test_fish_completes_key_ids_and_names(tmp_path: Path, keys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "ticos-tui.fish"
    script.write_text(completion_script(build_parser(), "fish"))
    fish = shutil.which("fish")
    assert fish, "fish is needed for this test (Debian: apt-get install fish)"
    done = subprocess.run(
        [fish, "--no-config", "-c", f"source {script}; complete -C 'ticos-tui keys get '"],
        capture_output=True, text=True, timeout=60, env=_env(), check=True,
    )  # fmt: skip
    offered = [row.split("\t")[0] for row in done.stdout.splitlines()]
    assert sorted(offered) == sorted([*keys.values(), *keys.keys()])
