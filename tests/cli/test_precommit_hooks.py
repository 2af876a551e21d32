"""`.pre-commit-hooks.yaml`: what pre-commit needs to install and run the scanner from this repository."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

from ticos_tui.cli import build_parser
from ticos_tui.cli.scan.command import run as run_scan
from ticos_tui.core.keyformat import generate_key

ROOT = Path(__file__).resolve().parents[2]


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_ticos_scan_hook_has_what_pre_commit_requires() -> None:
    (hook,) = [h for h in hooks() if h.get("id") == "ticos-scan"]
    # pre-commit's manifest schema: id, name, entry and language are required.
    for field in ("id", "name", "entry", "language"):
        assert isinstance(hook[field], str) and hook[field]
    # language python: pre-commit pip-installs this repository and runs its console script.
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True  # the staged files are the PATHs scanned
    assert set(hook.get("types", [])) <= {"file", "text", "binary"}


def test_entry_is_our_console_script_and_a_real_command() -> None:
    (hook,) = [h for h in hooks() if h["id"] == "ticos-scan"]
    program, *argv = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert program in scripts and scripts[program] == "ticos_tui.cli:main"
    # The entry plus file names must parse as a ticos-tui command line.
    args = build_parser().parse_args([*argv, "some/file.py"])
    assert args.func.resolve() is run_scan and args.paths == ["some/file.py"]


def test_entry_scans_the_files_pre_commit_passes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from ticos_tui.cli import main

    (hook,) = [h for h in hooks() if h["id"] == "ticos-scan"]
    clean = tmp_path / "clean.py"
    clean.write_text("print('no keys here')\n")
    leaked = tmp_path / "settings.py"
    leaked.write_text(f"API_KEY = '{generate_key()}'\n")
    _, *argv = shlex.split(hook["entry"])
    assert main([*argv, "--offline", str(clean)]) == 0
    assert main([*argv, "--offline", str(clean), str(leaked)]) == 1  # the commit is blocked
    assert "settings.py:1:" in capsys.readouterr().out
