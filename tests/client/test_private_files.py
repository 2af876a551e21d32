"""The data and config folders and the secret files in them: created private, never loosened or
tightened behind the user's back, never written through a planted link, refused when others can
read or write them.

These tests run as root in CI containers too, and root ignores permission bits, so they assert
modes with os.stat rather than expecting EACCES.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ticos_tui.core.errors import ConfigError
from ticos_tui.service.bootstrap import local_session_token
from ticos_tui.service.store.sqlite import Store
from ticos_tui.settings import credentials
from ticos_tui.settings.config import resolve_settings
from ticos_tui.settings.paths import ensure_private_dir, write_private_file


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def folder_with_mode(path: Path, bits: int) -> Path:
    path.mkdir()
    os.chmod(path, bits)
    return path


@pytest.mark.parametrize("bits", [0o1777, 0o777, 0o770, 0o2775], ids=oct)
def test_a_folder_others_can_write_is_refused_and_keeps_its_mode(tmp_path: Path, bits: int) -> None:
    shared = folder_with_mode(tmp_path / "shared", bits)
    with pytest.raises(ConfigError) as caught:
        local_session_token(shared)
    message = str(caught.value)
    assert f"the data folder {shared} can be written by other users" in message
    assert f"(mode {bits:o})" in message
    assert "choose a folder only you can write to" in message
    assert mode(shared) == bits
    assert list(shared.iterdir()) == []  # nothing written into it, not even the database


def test_a_shared_sticky_folder_gets_no_chmod_advice(tmp_path: Path) -> None:
    shared = folder_with_mode(tmp_path / "shared", 0o1777)
    with pytest.raises(ConfigError) as caught:
        ensure_private_dir(shared)
    assert "chmod" not in str(caught.value)  # never tell anyone to lock a shared /tmp


def test_an_own_group_writable_folder_gets_the_chmod_fix(tmp_path: Path) -> None:
    mine = folder_with_mode(tmp_path / "mine", 0o775)
    with pytest.raises(ConfigError) as caught:
        ensure_private_dir(mine)
    assert "if it is yours alone, run `chmod go-w " in str(caught.value)
    assert mode(mine) == 0o775


def test_a_read_only_folder_is_not_made_writable(tmp_path: Path) -> None:
    locked = folder_with_mode(tmp_path / "locked", 0o555)
    try:
        ensure_private_dir(locked)
        assert mode(locked) == 0o555
    finally:
        os.chmod(locked, 0o700)


def test_an_existing_private_folder_keeps_its_mode(tmp_path: Path) -> None:
    # 0750 lets the group read but not write: the user's choice, not ours to change.
    folder = folder_with_mode(tmp_path / "mine", 0o750)
    local_session_token(folder)
    assert mode(folder) == 0o750
    assert mode(folder / "session-token") == 0o600
    assert mode(folder / "ticos.db") == 0o600


def test_a_symlink_to_a_shared_folder_is_refused(tmp_path: Path) -> None:
    shared = folder_with_mode(tmp_path / "shared", 0o1777)
    link = tmp_path / "link"
    link.symlink_to(shared)
    with pytest.raises(ConfigError, match="can be written by other users"):
        local_session_token(link)
    assert mode(shared) == 0o1777
    assert list(shared.iterdir()) == []


def test_a_folder_owned_by_someone_else_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_with_mode(tmp_path / "theirs", 0o700)
    owner = os.stat(folder).st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 4242)
    with pytest.raises(ConfigError, match=f"belongs to another user \\(uid {owner}\\)"):
        ensure_private_dir(folder)


def test_new_folders_and_their_missing_parents_are_created_0700(tmp_path: Path) -> None:
    before = mode(tmp_path)
    deep = tmp_path / "a" / "b" / "c"
    old = os.umask(0)  # a loose umask must not leak into the modes
    try:
        assert ensure_private_dir(deep) == deep
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", deep):
        assert mode(folder) == 0o700, folder
    assert mode(tmp_path) == before


def test_a_data_folder_that_is_a_file_gets_a_clear_message(tmp_path: Path) -> None:
    file = tmp_path / "data"
    file.write_text("not a folder\n")
    with pytest.raises(ConfigError) as caught:
        local_session_token(file)
    assert str(caught.value).startswith(f"the data folder {file} is a file, not a folder")
    assert "Errno" not in str(caught.value)
    with pytest.raises(ConfigError, match=f"{file} is a file, not a folder"):
        local_session_token(file / "inside")
    assert file.read_text() == "not a folder\n"


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_planted_temp_symlink_does_not_receive_the_token(
    tmp_path: Path, target_exists: bool
) -> None:
    data = tmp_path / "data"
    ensure_private_dir(data)
    victim = tmp_path / "victim.txt"
    if target_exists:
        victim.write_text("original\n")
    (data / "session-token.tmp").symlink_to(victim)

    token = local_session_token(data)

    if target_exists:
        assert victim.read_text() == "original\n"
    else:
        assert not victim.exists()
    assert (data / "session-token").read_text().strip() == token
    assert mode(data / "session-token") == 0o600
    assert (data / "session-token.tmp").is_symlink()  # left alone, not followed


def test_a_leftover_temp_file_does_not_receive_the_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ensure_private_dir(data)
    leftover = data / "session-token.tmp"
    leftover.write_text("left by a crash\n")
    os.chmod(leftover, 0o644)
    token = local_session_token(data)
    assert token not in leftover.read_text()
    assert not [p for p in data.iterdir() if p.name.startswith("session-token.") and p != leftover]


def test_a_planted_temp_symlink_does_not_receive_the_credentials(
    isolated_env: dict[str, Path], tmp_path: Path
) -> None:
    config = isolated_env["config"]
    ensure_private_dir(config)
    victim = tmp_path / "victim.txt"
    victim.write_text("original\n")
    (config / "credentials.json.tmp").symlink_to(victim)
    credentials.store_token("http://h.test/v1", "tst_secret")
    assert victim.read_text() == "original\n"
    assert mode(config / "credentials.json") == 0o600
    assert "tst_secret" in (config / "credentials.json").read_text()


def test_a_symlinked_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ensure_private_dir(data)
    elsewhere = tmp_path / "elsewhere.db"
    elsewhere.write_bytes(b"")
    os.chmod(elsewhere, 0o644)
    (data / "ticos.db").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match=r"ticos\.db is a symbolic link"):
        Store(data)
    assert mode(elsewhere) == 0o644


def test_private_files_are_0600_even_with_a_loose_umask(tmp_path: Path) -> None:
    target = tmp_path / "data" / "secret"
    old = os.umask(0)
    try:
        write_private_file(target, "s3cret\n")
    finally:
        os.umask(old)
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert target.read_text() == "s3cret\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["secret"]  # no temp left behind


@pytest.mark.parametrize("bits", [0o644, 0o640, 0o604, 0o620], ids=oct)
def test_a_token_file_others_can_read_is_refused(tmp_path: Path, bits: int) -> None:
    data = tmp_path / "data"
    token = local_session_token(data)
    path = data / "session-token"
    os.chmod(path, bits)
    with pytest.raises(ConfigError) as caught:
        local_session_token(data)
    message = str(caught.value)
    assert f"{path} can be read or changed by other users (mode {bits:o})" in message
    assert f"run `chmod 600 {path}`" in message
    assert token not in message
    assert mode(path) == bits  # refused, not silently fixed
    os.chmod(path, 0o600)
    assert local_session_token(data) == token  # and the fix it names works


def test_a_credentials_file_others_can_read_is_refused(isolated_env: dict[str, Path]) -> None:
    credentials.store_token("http://h.test/v1", "tst_secret")
    path = isolated_env["config"] / "credentials.json"
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match=f"run `chmod 600 {path}`") as caught:
        resolve_settings(base_url="http://h.test")
    assert "tst_secret" not in str(caught.value)
    assert mode(path) == 0o644
    os.chmod(path, 0o600)
    assert resolve_settings(base_url="http://h.test").token == "tst_secret"


def test_a_config_file_with_a_token_others_can_read_is_refused(
    isolated_env: dict[str, Path],
) -> None:
    config = isolated_env["config"]
    ensure_private_dir(config)
    path = config / "config.toml"
    path.write_text('base_url = "http://h.test"\ntoken = "tst_file"\n')
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match=f"run `chmod 600 {path}`"):
        resolve_settings()
    path.write_text('base_url = "http://h.test"\n')  # without a token, its mode is the user's
    assert resolve_settings().base_url == "http://h.test/v1"


def test_the_database_and_its_wal_files_are_0600_with_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = Store(tmp_path / "data")
        store.create_account("Ann", "ann@example.com")  # a write, so -wal and -shm exist
        files = sorted((tmp_path / "data").iterdir())
        assert [p.name for p in files] == ["ticos.db", "ticos.db-shm", "ticos.db-wal"]
        assert {p.name: mode(p) for p in files} == dict.fromkeys((p.name for p in files), 0o600)
        store.close()
    finally:
        os.umask(old)


def test_a_token_path_that_is_a_folder_gets_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ensure_private_dir(data)
    (data / "session-token").mkdir()
    with pytest.raises(ConfigError, match="session-token is not a plain file"):
        local_session_token(data)


NOBODY = 65534


def _login_refusal() -> str:
    """What `login` (a write) says about the config folder: reads must say the same."""
    with pytest.raises(ConfigError) as caught:
        credentials.store_token("http://other.test/v1", "tst_new")
    return str(caught.value)


@pytest.mark.parametrize("name", ["credentials.json", "config.toml"])
def test_a_config_file_in_a_folder_others_can_write_is_refused_on_read(
    isolated_env: dict[str, Path], name: str
) -> None:
    """The attack: a credentials.json planted in a 0777 TICOS_CONFIG_DIR was used silently."""
    config = isolated_env["config"]
    credentials.store_token("http://h.test/v1", "tst_planted")
    (config / "config.toml").write_text('base_url = "http://h.test"\n')
    if name == "config.toml":
        (config / "credentials.json").unlink()
    os.chmod(config, 0o777)  # noqa: S103 - the attack's folder
    said_on_write = _login_refusal()
    with pytest.raises(ConfigError) as caught:
        resolve_settings(base_url="http://h.test")
    assert str(caught.value) == said_on_write
    assert "can be written by other users (mode 777)" in said_on_write
    assert "tst_planted" not in str(caught.value)
    assert mode(config) == 0o777  # refused, not silently fixed


@pytest.mark.parametrize("name", ["credentials.json", "config.toml"])
def test_a_config_file_owned_by_another_user_is_refused_on_read(
    isolated_env: dict[str, Path], name: str
) -> None:
    config = isolated_env["config"]
    credentials.store_token("http://h.test/v1", "tst_theirs")
    (config / "config.toml").write_text('base_url = "http://h.test"\n')
    os.chmod(config / "config.toml", 0o600)
    os.chown(config / name, NOBODY, NOBODY)
    with pytest.raises(ConfigError, match=f"{config / name} belongs to another user") as caught:
        resolve_settings(base_url="http://h.test")
    assert "tst_theirs" not in str(caught.value)


def test_a_token_file_owned_by_another_user_is_refused_on_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    local_session_token(data)
    os.chown(data / "session-token", NOBODY, NOBODY)
    with pytest.raises(ConfigError, match="session-token belongs to another user"):
        local_session_token(data)
