"""Put a new key in a .env file safely: 0600, never into git, never through a link, never half-written."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ticos_tui.core.safegit import run_git

VARIABLE = "TICOS_API_KEY"
# Bytes, not text: the file's other lines are kept exactly, whatever their encoding.
_EXISTING = re.compile(rb"^[ \t]*(?:export[ \t]+)?" + VARIABLE.encode() + rb"[ \t]*=", re.MULTILINE)
_PREFIX = re.compile(rb"[ \t]*(?:export[ \t]+)?")


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


def _git(
    folder: Path, *args: str, literal_pathspecs: bool = True
) -> subprocess.CompletedProcess[str] | None:
    """Ask git about `folder` the hardened way (a cloned repository's config runs nothing)."""
    done = run_git(str(folder), *args, timeout=5, literal_pathspecs=literal_pathspecs)
    if done is None:
        return None
    return subprocess.CompletedProcess(
        done.args, done.returncode, os.fsdecode(done.stdout), os.fsdecode(done.stderr)
    )


def _in_work_tree(folder: Path) -> bool:
    """Whether a `.git` sits in `folder` or above it, whatever git itself says."""
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _resolve(path: str | Path) -> Path:
    """The file's path with its folder's links resolved; the file itself is left as named."""
    target = Path(path).expanduser()
    if not target.is_absolute():
        target = Path.cwd() / target
    if target.name in ("", "..") or target.is_dir():
        raise DotenvError(f"{target} is a folder; give a file name such as {target / '.env'}")
    folder = target.parent
    if not folder.is_dir():
        raise DotenvError(
            f"the folder {folder} does not exist; create it first or choose another path"
        )
    return Path(os.path.realpath(folder)) / target.name


def _read(target: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist; refuses links and anything but a file."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP or target.is_symlink():
            raise DotenvError(
                f"{target} is a symbolic link (to {os.readlink(target)}); the key is only written "
                "to a regular file. Remove the link or choose another file"
            ) from None
        raise DotenvError(f"cannot read {target}: {err.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DotenvError(f"{target} is not a regular file; choose another file")
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    except OSError as err:
        raise DotenvError(f"cannot read {target}: {err.strerror}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if b"\0" in data:
        raise DotenvError(f"{target} does not look like a text file (it holds NUL bytes)")
    return data


def _git_state(target: Path) -> tuple[Path | None, bool]:
    """(work tree root or None, ignored); refuses a file git tracks, even an ignored one."""
    folder = target.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0 or not top.stdout.strip():
        if _in_work_tree(folder):
            why = top.stderr.strip().splitlines()[0] if top is not None and top.stderr else ""
            raise DotenvError(
                f"{folder} is inside a git work tree, but git could not say whether {target.name} "
                f"is tracked{': ' + why if why else ''}; fix that or choose a file outside it"
            )
        return None, False
    root = Path(top.stdout.strip())
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", target.name)
    if tracked is None:
        raise DotenvError(f"git could not say whether {target} is tracked; choose another file")
    if tracked.returncode == 0:
        raise DotenvError(
            f"{target} is tracked by git, so the key would be committed; choose another file "
            f"(or stop tracking it with `git rm --cached {target.name}` first)"
        )
    ignored = _git(
        folder, "check-ignore", "-q", "--no-index", "--", target.name, literal_pathspecs=False
    )
    return root, ignored is not None and ignored.returncode == 0


def _key_lines(data: bytes) -> list[re.Match[bytes]]:
    return list(_EXISTING.finditer(data))


def plan(path: str | Path) -> DotenvPlan:
    """Inspect `path` (a file, possibly new) without writing anything."""
    return _inspect(path)[0]


def _inspect(path: str | Path) -> tuple[DotenvPlan, bytes]:
    target = _resolve(path)
    data = _read(target)
    root, ignored = _git_state(target)
    lines = _key_lines(data or b"")
    if len(lines) > 1:
        raise DotenvError(
            f"{target} has {len(lines)} {VARIABLE} lines; keep one (or none) and try again"
        )
    return DotenvPlan(target, data is not None, bool(lines), root, ignored), data or b""


def add_to_gitignore(p: DotenvPlan) -> Path:
    """Append the file's name to the .gitignore beside it; returns that .gitignore."""
    gitignore = p.path.parent / ".gitignore"
    existing = _read(gitignore) or b""
    prefix = b"" if not existing or existing.endswith(b"\n") else b"\n"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(gitignore, flags, 0o644)  # a .gitignore is shared with the project
        try:
            _write_all(fd, prefix + b"/" + os.fsencode(p.path.name) + b"\n")
        finally:
            os.close(fd)
    except OSError as err:
        raise DotenvError(f"could not add to {gitignore}: {err.strerror}") from None
    return gitignore


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _replace_atomically(target: Path, data: bytes) -> None:
    """Write `data` to a new 0600 file beside `target`, fsync it and rename it over `target`."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(temporary, flags, 0o600)
    except OSError as err:
        raise DotenvError(
            f"could not write in {target.parent}: {err.strerror}; nothing was changed"
        ) from None
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise DotenvError(
            f"could not write {target}: {err.strerror}; the file was left as it was"
        ) from None
    try:  # make the rename itself durable; a folder that can't be opened is no reason to fail
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def write_key(p: DotenvPlan, key: str, *, replace: bool = False) -> str:
    """Write `TICOS_API_KEY=<key>` into the planned file (mode 0600); returns what was done.

    Refuses a file git tracks, a file in a git work tree that is not ignored, a
    symbolic link, and an existing TICOS_API_KEY line unless `replace` is True.
    Every other byte of the file is kept; on any failure the file is left as it was.
    """
    current, data = _inspect(p.path)  # look again: the file may have changed while the user decided
    if current.needs_gitignore:
        raise DotenvError(
            f"{current.path} is inside the git work tree {current.git_root} and not in .gitignore; "
            "add it to .gitignore first so the key can never be committed"
        )
    if current.has_key_line and not replace:
        raise DotenvError(f"{current.path} already has a {VARIABLE} line; confirm to replace it")
    assignment = f"{VARIABLE}={key}".encode()
    if current.has_key_line:
        [existing] = _key_lines(data)
        start = existing.start()
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        if data[start:end].endswith(b"\r"):
            end -= 1
        prefix = _PREFIX.match(data, start)
        assert prefix is not None  # the pattern matches the empty string
        data = data[: prefix.end()] + assignment + data[end:]
        action = "replaced the"
    else:
        if data and not data.endswith(b"\n"):
            data += b"\n"
        data += assignment + b"\n"
        action = "added a"
    _replace_atomically(current.path, data)
    return f"{action} {VARIABLE} line in {current.path} (mode 0600)"
