"""Fixtures for every test: a private data folder and an empty config, so a developer's real keys never leak in."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

_ENV_VARS = ("TICOS_BASE_URL", "TICOS_TOKEN", "TICOS_HOME", "TICOS_CONFIG_DIR")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", default=False, help="run the long fuzz/load/crash tests"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the long runs out (deselected, not skipped) unless `--slow` asks for them."""
    if config.getoption("--slow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every test gets its own data folder, config folder and XDG dirs; no TICOS_* from the developer."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    config = tmp_path / "config"
    monkeypatch.setenv("TICOS_HOME", str(data))
    monkeypatch.setenv("TICOS_CONFIG_DIR", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # No OS keyring in tests: credentials go to the 0600 file fallback.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {"data": data, "config": config}


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Arm `full_disk(room=N)`: os.write then behaves as on a disk with N bytes free."""

    def arm(room: int) -> None:
        real_write = os.write
        left = [room]

        def write(fd: int, data: bytes) -> int:
            if b"TICOS_API_KEY" not in bytes(data) and left[0] == room:
                return real_write(fd, data)
            if left[0] == 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written = real_write(fd, bytes(data)[: left[0]])
            left[0] -= written
            return written

        monkeypatch.setattr(os, "write", write)

    return arm
