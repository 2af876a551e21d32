"""Writing a new key to a .env file: mode 0600, never into git, never over an existing line unasked."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from ticos_tui import dotenv
from ticos_tui.keyformat import generate_key


def test_new_file_outside_git_is_written_0600(tmp_path: Path) -> None:
    key = generate_key()
    target = tmp_path / ".env"
    p = dotenv.plan(target)
    assert p.git_root is None and not p.exists
    dotenv.write_key(p, key)
    assert target.read_text() == f"TICOS_API_KEY={key}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_existing_line_is_kept_unless_replacing(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\nexport TICOS_API_KEY=old\nB=2")
    p = dotenv.plan(target)
    assert p.has_key_line
    with pytest.raises(dotenv.DotenvError, match="already has"):
        dotenv.write_key(p, "tk_new")
    assert "old" in target.read_text()
    dotenv.write_key(p, "tk_new", replace=True)
    assert target.read_text() == "A=1\nTICOS_API_KEY=tk_new\nB=2"


def test_appends_after_other_lines(tmp_path: Path) -> None:
    target = tmp_path / "app.env"
    target.write_text("DEBUG=1")
    dotenv.write_key(dotenv.plan(target), "tk_x")
    assert target.read_text() == "DEBUG=1\nTICOS_API_KEY=tk_x\n"


def test_git_tracked_folder_refused_until_ignored(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / ".env"
    p = dotenv.plan(target)
    assert p.git_root is not None and p.needs_gitignore
    with pytest.raises(dotenv.DotenvError, match=r"\.gitignore"):
        dotenv.write_key(p, "tk_x")
    assert not target.exists()
    gitignore = dotenv.add_to_gitignore(p)
    assert "/.env" in gitignore.read_text()
    p = dotenv.plan(target)
    assert p.ignored and not p.needs_gitignore
    dotenv.write_key(p, "tk_x")
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain"], capture_output=True, text=True
    )
    assert ".env\n" not in status.stdout.replace(".gitignore", "")


def test_bad_paths_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(dotenv.DotenvError, match="is a folder"):
        dotenv.plan(tmp_path)
    with pytest.raises(dotenv.DotenvError, match="does not exist"):
        dotenv.plan(tmp_path / "missing" / ".env")
