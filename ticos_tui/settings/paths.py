"""Where ticos-tui keeps its files (the data and config folders), and how it keeps them private.

Every writer of a folder or secret file goes through this module: new folders are made 0700,
existing ones are never chmodded (only refused when others can write to them), secret files are
written to a fresh temporary file opened with O_CREAT|O_EXCL|O_NOFOLLOW and renamed into place,
and a secret file others can read is refused with the fix, as ssh does with private keys.
"""

from __future__ import annotations

import os
import secrets
import shlex
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from ticos_tui.core.errors import ConfigError

APP_NAME = "ticos-tui"


def data_dir(
    flag: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    configured: Callable[[], str | None] | None = None,
) -> Path:
    """`--data-dir`, else `TICOS_HOME`, else `configured()` (config.toml), else platformdirs' default."""
    env = os.environ if env is None else env
    if flag:
        return Path(flag).expanduser()
    if env.get("TICOS_HOME"):
        return Path(env["TICOS_HOME"]).expanduser()
    from_file = configured() if configured is not None else None
    if from_file:
        return Path(from_file).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """platformdirs' user config dir for ticos-tui (`TICOS_CONFIG_DIR` overrides it, for tests)."""
    env = os.environ if env is None else env
    if env.get("TICOS_CONFIG_DIR"):
        return Path(env["TICOS_CONFIG_DIR"]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


_POSIX = os.name == "posix"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


DATA_DIR_SETTINGS = "--data-dir, TICOS_HOME or data_dir in config.toml"


def ensure_private_dir(
    path: Path, what: str = "the data folder", set_by: str | None = DATA_DIR_SETTINGS
) -> Path:
    """`path` as a folder only its owner can write to, creating it (and missing parents) 0700.

    An existing folder keeps its mode: one that others can write to (a shared /tmp, a 0777 or
    group-writable folder) or that belongs to another user is refused with a ConfigError that
    says how to fix it, and so is a path that is a file. `what` names the folder in messages,
    `set_by` the settings that choose it.
    """
    path = Path(path)
    for folder in _missing_folders(path, what, set_by):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made by someone else meanwhile: checked below like any existing folder
        except OSError as err:
            raise ConfigError(f"cannot create {what} {path}: {err.strerror}") from None
        _set_created_dir_mode(folder)
    _check_dir(path, what, set_by)
    return path


def _missing_folders(path: Path, what: str, set_by: str | None) -> list[Path]:
    """The folders from the first missing ancestor of `path` down to `path` itself."""
    missing: list[Path] = []
    current = path
    while True:
        try:
            info = os.stat(current)
        except FileNotFoundError:
            if os.path.islink(current):
                raise ConfigError(
                    f"{what} {path}: {current} is a symbolic link to nothing; "
                    "remove it or point it at a folder"
                ) from None
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
            continue
        except NotADirectoryError:
            missing.append(current)  # an ancestor is a file: reported below
            current = current.parent
            continue
        except OSError as err:
            raise ConfigError(f"cannot use {what} {path}: {err.strerror}") from None
        if not stat.S_ISDIR(info.st_mode):
            if current == path:
                raise ConfigError(
                    f"{what} {path} is a file, not a folder; choose another folder"
                    + (f" with {set_by}" if set_by else "")
                )
            raise ConfigError(f"cannot create {what} {path}: {current} is a file, not a folder")
        break
    return list(reversed(missing))


def _set_created_dir_mode(folder: Path) -> None:
    """Make a folder this process just created exactly 0700 whatever the umask, without
    following a link someone might have swapped in for it."""
    if not _POSIX:
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != 0o700:
            os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def _check_dir(path: Path, what: str, set_by: str | None) -> None:
    try:
        info = os.stat(path)
    except OSError as err:
        raise ConfigError(f"cannot use {what} {path}: {err.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{what} {path} is a file, not a folder")
    if not _POSIX:
        return
    bits = stat.S_IMODE(info.st_mode)
    mine = info.st_uid == os.getuid()
    if not mine:
        raise ConfigError(
            f"{what} {path} belongs to another user (uid {info.st_uid}), who could replace its "
            "files; choose a folder of your own (a new path is created with mode 0700)"
        )
    if bits & 0o022:
        fix = (
            f"; or, if it is yours alone, run `chmod go-w {shlex.quote(str(path))}`"
            if mine and not bits & stat.S_ISVTX
            else ""
        )
        raise ConfigError(
            f"{what} {path} can be written by other users (mode {bits:o}), who could replace or "
            "plant files in it; choose a folder only you can write to (a new path is created "
            f"with mode 0700){f' with {set_by}' if set_by else ''}{fix}"
        )


def write_private_file(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable by its owner only (0600) from the first byte.

    The text goes to a new temporary file with a random name, opened O_CREAT|O_EXCL|O_NOFOLLOW,
    so a planted link or a leftover file never receives it; then fsync and an atomic rename.
    """
    ensure_private_dir(path.parent, "the folder", None)
    data = text.encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    while True:
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileExistsError:
            continue
        break
    try:
        try:
            if _POSIX and stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
                os.fchmod(fd, 0o600)  # a umask like 0o277 would otherwise leave it 0400
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; a platform that can't open folders just skips it."""
    try:
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_private_file(path: Path) -> str | None:
    """The text of the secret file `path`, None when there is none.

    A file that others can read or write is refused with the `chmod 600` that fixes it (as ssh
    refuses a private key others can read): its secret may already be out, and the user should
    know rather than have it used silently. Its folder and owner are checked as for any file
    ticos-tui reads its settings from (`read_settings_file`).
    """
    raw = _read_checked(path, secret=True)
    return None if raw is None else raw.decode("utf-8", errors="replace")  # the caller judges it


def read_settings_file(path: Path) -> bytes | None:
    """The bytes of a settings file (config.toml), None when there is none.

    Refused, as a write there would be, when its folder can be written by others or belongs to
    another user (the message is the one a write gets), and when the file itself belongs to
    another user or others can change it: whoever can change it chooses the server the session
    token is sent to.
    """
    return _read_checked(path, secret=False)


def _read_checked(path: Path, *, secret: bool) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a plain file; remove it, then try again")
        if _POSIX:
            _check_dir(path.parent, "the folder", None)  # the same check (and words) as a write
            _check_owner(path, info)
        if secret:
            check_private_file(path, info)
        elif _POSIX and stat.S_IMODE(info.st_mode) & 0o022:
            bits = stat.S_IMODE(info.st_mode)
            raise ConfigError(
                f"{path} can be changed by other users (mode {bits:o}); run "
                f"`chmod go-w {shlex.quote(str(path))}`, then try again"
            )
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as file:
        return file.read()


def _check_owner(path: Path, info: os.stat_result) -> None:
    if info.st_uid != os.getuid():
        raise ConfigError(
            f"{path} belongs to another user (uid {info.st_uid}), who could change what it "
            "says; ticos-tui reads its settings and secrets only from files of your own. "
            "Remove it (or, if it is yours, chown it to yourself), then try again"
        )


def check_private_file(path: Path, info: os.stat_result | None = None) -> None:
    """ConfigError (with the fix) when others may read or write the secret file `path`."""
    if not _POSIX:
        return
    info = os.stat(path) if info is None else info
    bits = stat.S_IMODE(info.st_mode)
    if bits & 0o077:
        raise ConfigError(
            f"{path} can be read or changed by other users (mode {bits:o}) and holds a secret; "
            f"run `chmod 600 {shlex.quote(str(path))}` (and, if others may have read it, "
            "replace the secret), then try again"
        )


def create_private_file(path: Path) -> None:
    """Make sure the file `path` exists and is 0600, creating it so and refusing a symlink.

    For files another library then opens by name (the SQLite database): it is a plain file
    in a folder only we can write to, so making our own file 0600 changes nobody else's.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o600)
    except OSError as err:
        if os.path.islink(path):
            raise ConfigError(
                f"{path} is a symbolic link; ticos-tui keeps its files as plain files in its "
                "folder: move the file it points to there, or remove the link"
            ) from None
        raise ConfigError(f"cannot open {path}: {err.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a plain file; remove it or choose another folder")
        if _POSIX and stat.S_IMODE(info.st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
