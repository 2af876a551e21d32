"""Put a new key in a .env file safely: 0600, never into git, never over an existing line unasked."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

VARIABLE = "TICOS_API_KEY"
_EXISTING = re.compile(rf"^\s*(export\s+)?{VARIABLE}\s*=", re.MULTILINE)


class DotenvError(Exception):
    """The .env file cannot be written as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DotenvPlan:
    """What writing to `path` would touch, so the dialog can ask before it does."""

    path: Path
    exists: bool
    has_key_line: bool
    git_root: Path | None
    ignored: bool

    @property
    def needs_gitignore(self) -> bool:
        return self.git_root is not None and not self.ignored


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def plan(path: str | Path) -> DotenvPlan:
    """Inspect `path` (a file, possibly new) without writing anything."""
    target = Path(path).expanduser()
    if not target.is_absolute():
        target = Path.cwd() / target
    if target.is_dir():
        raise DotenvError(f"{target} is a folder; give a file name such as {target / '.env'}")
    folder = target.parent
    if not folder.is_dir():
        raise DotenvError(
            f"the folder {folder} does not exist; create it first or choose another path"
        )
    text = ""
    if target.exists():
        try:
            text = target.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            raise DotenvError(f"cannot read {target}: {err.strerror}") from None
    root = None
    ignored = False
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is not None and top.returncode == 0 and top.stdout.strip():
        root = Path(top.stdout.strip())
        check = _git(folder, "check-ignore", "-q", "--no-index", str(target))
        ignored = check is not None and check.returncode == 0
    return DotenvPlan(target, target.exists(), bool(_EXISTING.search(text)), root, ignored)


def add_to_gitignore(p: DotenvPlan) -> Path:
    """Append the file's name to the .gitignore beside it; returns that .gitignore."""
    gitignore = p.path.parent / ".gitignore"
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    line = "/" + p.path.name
    prefix = "" if not existing or existing.endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as handle:
        handle.write(f"{prefix}{line}\n")
    return gitignore


def write_key(p: DotenvPlan, key: str, *, replace: bool = False) -> str:
    """Write `TICOS_API_KEY=<key>` into the planned file (mode 0600); returns what was done.

    Refuses a git-tracked folder unless the file is ignored, and an existing
    TICOS_API_KEY line unless `replace` is True.
    """
    current = plan(p.path)  # look again: the file may have changed while the user decided
    if current.needs_gitignore:
        raise DotenvError(
            f"{current.path} is inside the git work tree {current.git_root} and not in .gitignore; "
            "add it to .gitignore first so the key can never be committed"
        )
    if current.has_key_line and not replace:
        raise DotenvError(f"{current.path} already has a {VARIABLE} line; confirm to replace it")
    line = f"{VARIABLE}={key}\n"
    text = current.path.read_text(encoding="utf-8") if current.exists else ""
    if current.has_key_line:
        lines = text.splitlines(keepends=True)
        index = next(i for i, old in enumerate(lines) if _EXISTING.match(old))
        lines[index] = line
        text = "".join(lines)
        action = "replaced the"
    else:
        if text and not text.endswith("\n"):
            text += "\n"
        text += line
        action = "added a"
    fd = os.open(current.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.chmod(current.path, 0o600)
    return f"{action} {VARIABLE} line in {current.path} (mode 0600)"
