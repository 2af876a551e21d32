"""Every CLI way into the data folder refuses a shared one in one clear line, and leaves it alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from .helpers import one_line_error


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)  # noqa: S103 - a shared /tmp-like folder is the attack
    return folder


@pytest.mark.parametrize(
    "argv",
    [
        ("keys", "list", "--data-dir", "{dir}"),
        ("status", "--data-dir", "{dir}"),
        ("accounts", "create", "Ann", "ann@example.com", "--data-dir", "{dir}"),
        ("serve", "--port", "0", "--data-dir", "{dir}"),
    ],
)
def test_a_shared_data_dir_is_refused_in_one_line(  # type: ignore[no-untyped-def]
    cli, shared: Path, argv: tuple[str, ...]
) -> None:
    result = cli(*(part.format(dir=shared) for part in argv))
    err = one_line_error(result, 2)
    assert f"the data folder {shared} can be written by other users (mode 1777)" in err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert list(shared.iterdir()) == []


def test_data_dir_from_config_toml_is_refused_too(  # type: ignore[no-untyped-def]
    cli, shared: Path, isolated_env: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TICOS_HOME")
    isolated_env["config"].mkdir()
    (isolated_env["config"] / "config.toml").write_text(f'data_dir = "{shared}"\n')
    err = one_line_error(cli("keys", "list"), 2)
    assert "can be written by other users" in err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777


def test_a_data_dir_that_is_a_file_is_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "file"
    file.write_text("x")
    err = one_line_error(cli("keys", "list", "--data-dir", str(file)), 2)
    assert f"the data folder {file} is a file, not a folder" in err
    assert "Errno" not in err
