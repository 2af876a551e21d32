"""Put a new key in a .env file safely: 0600, never into git, never through a link, never half-written.

Only a file that can be a dotenv file is touched: its name is `.env`, `.env.*` or `*.env`, it belongs
to the user writing it, is not executable and has no other name (hard link). In web mode this is what
keeps a browser session from rewriting the server's scripts and configuration.
"""

from __future__ import annotations

import errno
import os
import pwd
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


def is_dotenv_name(name: str) -> bool:
    """Whether `name` is a dotenv file's name: `.env`, `.env.<something>` or `<something>.env`."""
    return (
        name == ".env"
        or (name.startswith(".env.") and len(name) > 5)
        or (name.endswith(".env") and len(name) > 4)
    )


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _refuse_foreign(target: Path, st: os.stat_result) -> None:
    """Refuse a file that is not the user's own plain dotenv file; the message says why."""
    if st.st_uid != os.geteuid():
        raise DotenvError(
            f"{target} is owned by another user ({_owner(st.st_uid)}); the key is only written "
            "to a file of your own. Choose another file"
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o111:
        raise DotenvError(
            f"{target} is executable (mode {mode:04o}), so it is a program rather than a dotenv "
            "file; it was left as it is. Choose another file"
        )
    if st.st_nlink > 1:
        raise DotenvError(
            f"{target} has {st.st_nlink} hard links (other names for the same file); writing "
            "it would change or split them. Choose another file"
        )


def _resolve(path: str | Path) -> Path:
    """The file's path with its folder's links resolved; the file itself is left as named."""
    target = Path(path).expanduser()
    if not target.is_absolute():
        target = Path.cwd() / target
    if target.name in ("", "..") or target.is_dir():
        raise DotenvError(f"{target} is a folder; give a file name such as {target / '.env'}")
    if not is_dotenv_name(target.name):
        raise DotenvError(
            f"{target.name} is not a dotenv file name; the key is only written to .env, "
            ".env.<name> or <name>.env, so no script or configuration is overwritten"
        )
    folder = target.parent
    if not folder.is_dir():
        raise DotenvError(
            f"the folder {folder} does not exist; create it first or choose another path"
        )
    return Path(os.path.realpath(folder)) / target.name


def _read(target: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist; refuses links and anything but a file."""
    found = _read_with_stat(target)
    return None if found is None else found[0]


def _read_with_stat(target: Path) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes and what fstat said of the same open file, or None when it does not exist."""
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
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
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
    return data, st


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


def _inspect(path: str | Path) -> tuple[DotenvPlan, bytes, os.stat_result | None]:
    target = _resolve(path)
    found = _read_with_stat(target)
    data, st = (None, None) if found is None else found
    if st is not None:
        _refuse_foreign(target, st)
    root, ignored = _git_state(target)
    lines = _key_lines(data or b"")
    if len(lines) > 1:
        raise DotenvError(
            f"{target} has {len(lines)} {VARIABLE} lines; keep one (or none) and try again"
        )
    return DotenvPlan(target, data is not None, bool(lines), root, ignored), data or b"", st


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


def _replace_atomically(target: Path, data: bytes, old: os.stat_result | None) -> None:
    """Write `data` to a new 0600 file beside `target`, fsync it and rename it over `target`.

    An existing file that is already private (no group or other bits) keeps its mode and group.
    """
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
            if old is not None and not stat.S_IMODE(old.st_mode) & 0o077:
                _keep_owner_and_mode(fd, old)
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


def _keep_owner_and_mode(fd: int, old: os.stat_result) -> None:
    try:  # the group may be one the user can't give; the mode is private either way
        os.fchown(fd, old.st_uid, old.st_gid)
    except OSError:
        pass
    os.fchmod(fd, stat.S_IMODE(old.st_mode))


def write_key(p: DotenvPlan, key: str, *, replace: bool = False) -> str:
    """Write `TICOS_API_KEY=<key>` into the planned file (mode 0600); returns what was done.

    Refuses a name that is not a dotenv file's, another user's file, an executable, a file
    with hard links, a file git tracks, a file in a git work tree that is not ignored, a
    symbolic link, and an existing TICOS_API_KEY line unless `replace` is True.
    Every other byte of the file is kept; on any failure the file is left as it was.
    """
    # Look again: the file may have changed while the user decided.
    current, data, old = _inspect(p.path)
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
    _replace_atomically(current.path, data, old)
    mode = 0o600 if old is None or stat.S_IMODE(old.st_mode) & 0o077 else stat.S_IMODE(old.st_mode)
    return f"{action} {VARIABLE} line in {current.path} (mode {mode:04o})"
