"""Where ticos-tui keeps its files: the data folder (service database) and the config folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

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


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it readable by its owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 from the first byte (no window where others can read)."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
