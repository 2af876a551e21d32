"""Writing a new key to a .env file: mode 0600, never into git, never over an existing line unasked."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ticos_tui.core.keyformat import generate_key
from ticos_tui.handoff import dotenv


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
    assert target.read_text() == "A=1\nexport TICOS_API_KEY=tk_new\nB=2"  # `export` kept


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


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_tracked_file_refused_even_when_ignored(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text(".env\n")
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    _git(tmp_path, "add", "-f", ".env")  # tracked although ignored
    with pytest.raises(dotenv.DotenvError, match="tracked by git"):
        dotenv.write_key(dotenv.plan(target), "tk_secret")
    assert target.read_text() == "A=1\n"


@pytest.mark.parametrize("inside", [True, False], ids=["tracked-file-in-project", "outside"])
def test_symlinked_env_is_refused_and_its_target_untouched(tmp_path: Path, inside: bool) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / ".gitignore").write_text(".env\n")
    if inside:
        (project / "config").mkdir()
        real = project / "config" / "settings.py"
        real.write_text("DEBUG = True\n")
        _git(project, "add", "config/settings.py")
    else:
        real = tmp_path / "elsewhere.txt"
        real.write_text("DEBUG = True\n")
    real.chmod(0o644)
    (project / ".env").symlink_to(real)
    with pytest.raises(dotenv.DotenvError, match="symbolic link"):
        dotenv.write_key(dotenv.plan(project / ".env"), "tk_secret")
    assert real.read_text() == "DEBUG = True\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    assert (project / ".env").is_symlink()


def test_hard_linked_env_is_refused_and_neither_name_changes(tmp_path: Path) -> None:
    """A second name for the file (a script, a tracked file) would lose its content or its inode."""
    tracked = tmp_path / "settings.py"
    tracked.write_text("DEBUG = True\n")
    os.link(tracked, tmp_path / ".env")
    with pytest.raises(dotenv.DotenvError, match="2 hard links"):
        dotenv.write_key(dotenv.plan(tmp_path / ".env"), "tk_secret")
    assert tracked.read_text() == "DEBUG = True\n"
    assert os.stat(tracked).st_ino == os.stat(tmp_path / ".env").st_ino


NOBODY = 65534


def test_file_owned_by_another_user_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    target.chmod(0o600)
    os.chown(target, NOBODY, NOBODY)
    before = os.stat(target)
    with pytest.raises(dotenv.DotenvError, match="owned by another user"):
        dotenv.write_key(dotenv.plan(target), "tk_secret")
    after = os.stat(target)
    assert (after.st_uid, after.st_ino, after.st_mode) == (NOBODY, before.st_ino, before.st_mode)
    assert target.read_text() == "A=1\n"


def test_executable_file_is_refused_and_keeps_running(tmp_path: Path) -> None:
    """The attack: a 0755 script named app.env became 0600 and stopped running."""
    target = tmp_path / "app.env"
    target.write_text("#!/bin/sh\necho hi\n")
    target.chmod(0o755)
    with pytest.raises(dotenv.DotenvError, match="executable"):
        dotenv.write_key(dotenv.plan(target), "tk_secret")
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert target.read_text() == "#!/bin/sh\necho hi\n"


@pytest.mark.parametrize("name", ["app.sh", "settings.py", "env", "my.envrc", ".bashrc", "envy"])
def test_a_name_that_is_not_a_dotenv_file_is_refused(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.write_text("A=1\n")
    with pytest.raises(dotenv.DotenvError, match="not a dotenv file name"):
        dotenv.plan(target)
    assert target.read_text() == "A=1\n"


@pytest.mark.parametrize("name", [".env", ".env.local", ".env.production", "app.env", "[a].env"])
def test_dotenv_names_are_accepted(tmp_path: Path, name: str) -> None:
    dotenv.write_key(dotenv.plan(tmp_path / name), "tk_x")
    assert (tmp_path / name).read_text() == "TICOS_API_KEY=tk_x\n"


def test_a_private_file_keeps_its_mode_and_group(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    target.chmod(0o400)
    os.chown(target, -1, NOBODY)
    dotenv.write_key(dotenv.plan(target), "tk_x")
    after = os.stat(target)
    assert stat.S_IMODE(after.st_mode) == 0o400
    assert (after.st_uid, after.st_gid) == (os.geteuid(), NOBODY)
    assert target.read_text() == "A=1\nTICOS_API_KEY=tk_x\n"


def test_full_disk_leaves_the_file_as_it_was_and_says_so(
    tmp_path: Path, full_disk: Callable[..., None]
) -> None:
    target = tmp_path / ".env"
    target.write_bytes(b"A=1\n")
    before = sorted(tmp_path.iterdir())
    full_disk(room=10)
    with pytest.raises(dotenv.DotenvError, match="No space left on device"):
        dotenv.write_key(dotenv.plan(target), generate_key())
    assert target.read_bytes() == b"A=1\n"
    assert sorted(tmp_path.iterdir()) == before  # no temporary file left behind


def test_failed_fsync_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / ".env"
    target.write_bytes(b"A=1\n")

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(dotenv.DotenvError, match="No space left on device"):
        dotenv.write_key(dotenv.plan(target), generate_key())
    assert target.read_bytes() == b"A=1\n"
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_other_lines_kept_byte_for_byte_even_invalid_utf8(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_bytes(b"A=caf\xe9\r\nexport TICOS_API_KEY=old\r\n# \xff\xfe\nB=2")
    p = dotenv.plan(target)
    assert p.has_key_line
    dotenv.write_key(p, "tk_new", replace=True)
    assert target.read_bytes() == b"A=caf\xe9\r\nexport TICOS_API_KEY=tk_new\r\n# \xff\xfe\nB=2"
    target.write_bytes(b"A=\xff")
    dotenv.write_key(dotenv.plan(target), "tk_x")
    assert target.read_bytes() == b"A=\xff\nTICOS_API_KEY=tk_x\n"


def test_existing_file_ends_up_owner_only(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    target.chmod(0o644)
    dotenv.write_key(dotenv.plan(target), "tk_x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_two_key_lines_are_refused_rather_than_leaving_the_old_key_in_force(
    tmp_path: Path,
) -> None:
    target = tmp_path / ".env"
    target.write_text("TICOS_API_KEY=one\nTICOS_API_KEY=two\n")
    with pytest.raises(dotenv.DotenvError, match="2 TICOS_API_KEY lines"):
        dotenv.write_key(dotenv.plan(target), "tk_x", replace=True)
    assert target.read_text() == "TICOS_API_KEY=one\nTICOS_API_KEY=two\n"


def test_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / ".env"
    os.mkfifo(fifo)
    with pytest.raises(dotenv.DotenvError, match="not a regular file"):
        dotenv.plan(fifo)


def test_a_name_with_glob_characters_is_not_taken_for_a_tracked_file(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("*.env\n")
    (tmp_path / "a.env").write_text("A=1\n")
    _git(tmp_path, "add", "-f", "a.env")
    dotenv.write_key(dotenv.plan(tmp_path / "[a].env"), "tk_x")
    assert (tmp_path / "[a].env").read_text() == "TICOS_API_KEY=tk_x\n"
    with pytest.raises(dotenv.DotenvError, match="tracked by git"):
        dotenv.plan(tmp_path / "a.env")


def test_git_runs_without_the_repository_s_programs(tmp_path: Path) -> None:
    """A cloned repository's config must not run code when we ask git about the file."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "tracked.txt").write_text("x\n")
    _git(tmp_path, "add", "tracked.txt")
    marker = tmp_path.parent / f"{tmp_path.name}-pwned"
    hook = tmp_path / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    hook.chmod(0o755)
    _git(tmp_path, "config", "core.fsmonitor", str(hook))
    dotenv.plan(tmp_path / ".env")
    assert not marker.exists()


def test_work_tree_git_cannot_answer_for_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No git on PATH (or a repository git refuses, e.g. owned by another user): don't guess."""
    _git(tmp_path, "init", "-q")
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(dotenv.DotenvError, match=r"could not say whether \.env is tracked"):
        dotenv.plan(tmp_path / ".env")
    assert not (tmp_path / ".env").exists()
