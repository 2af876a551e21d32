"""Settings precedence (flag > environment > config.toml > embedded default) and stored logins."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ticos_tui.core.errors import ConfigError
from ticos_tui.settings import credentials
from ticos_tui.settings.config import (
    Settings,
    normalize_base_url,
    resolve_data_dir,
    resolve_settings,
)


def write_config(config_dir: Path, text: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # some hold a token, which is refused in a file others can read


def test_embedded_default(isolated_env: dict[str, Path]) -> None:
    settings = resolve_settings(env={"TICOS_CONFIG_DIR": str(isolated_env["config"])})
    assert settings.mode == "embedded" and settings.mode_label == "local"
    assert settings.token is None
    assert "session-token" in settings.token_source
    assert settings.config_file == isolated_env["config"] / "config.toml"


def test_precedence_flag_env_file(isolated_env: dict[str, Path], tmp_path: Path) -> None:
    config = isolated_env["config"]
    write_config(
        config, 'base_url = "http://file.test:1"\ndata_dir = "/from/file"\ntoken = "tst_file"\n'
    )
    base = {"TICOS_CONFIG_DIR": str(config)}
    from_file = resolve_settings(env=base)
    assert from_file.base_url == "http://file.test:1/v1"
    assert from_file.data_dir == Path("/from/file")
    assert from_file.token == "tst_file" and from_file.token_source.startswith("config file")

    env = {**base, "TICOS_BASE_URL": "https://env.test", "TICOS_HOME": "/from/env"}
    env["TICOS_TOKEN"] = "tst_env"
    from_env = resolve_settings(env=env)
    assert (from_env.base_url, from_env.data_dir) == ("https://env.test/v1", Path("/from/env"))
    assert (from_env.token, from_env.token_source) == ("tst_env", "TICOS_TOKEN")
    assert from_env.mode_label == "env.test"

    flags = resolve_settings(
        base_url="http://flag.test:9/v1/", data_dir="/from/flag", token="tst_flag", env=env
    )
    assert (flags.base_url, flags.data_dir) == ("http://flag.test:9/v1", Path("/from/flag"))
    assert (flags.token, flags.token_source) == ("tst_flag", "--token flag")
    assert flags.mode_label == "flag.test:9"
    assert "tst_flag" not in repr(flags)
    assert resolve_data_dir(None, env) == Path("/from/env")
    assert resolve_data_dir(None, base) == Path("/from/file")


def test_stored_login_beats_the_config_file_token(isolated_env: dict[str, Path]) -> None:
    write_config(isolated_env["config"], 'base_url = "http://h.test"\ntoken = "tst_file"\n')
    credentials.store_token("http://h.test/v1", "tst_stored")
    settings = resolve_settings()
    assert settings.token == "tst_stored"
    assert settings.token_source == f"file {isolated_env['config'] / 'credentials.json'}"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1"),
        ("https://API.ticos.ai/v1/", "https://api.ticos.ai/v1"),
        ("http://h/prefix/", "http://h/prefix/v1"),
    ],
)
def test_base_urls_are_normalised(raw: str, normal: str) -> None:
    assert normalize_base_url(raw) == normal


@pytest.mark.parametrize(
    "bad", ["ftp://h", "h:8765", "http://user:pw@h", "http://h/v1?x=1", "http://h:99999", ""]
)
def test_unusable_base_urls_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        normalize_base_url(bad)
    assert "pw" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_broken_config_file_names_the_file(isolated_env: dict[str, Path]) -> None:
    write_config(isolated_env["config"], "base_url = [nope\n")
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        resolve_settings()


def test_tokens_with_control_characters_are_refused() -> None:
    with pytest.raises(ConfigError):
        resolve_settings(env={"TICOS_TOKEN": "tst_a\x1bb"})


def test_file_fallback_is_private_and_per_url(isolated_env: dict[str, Path]) -> None:
    where = credentials.store_token("http://a.test/v1", "tst_a")
    credentials.store_token("http://b.test/v1", "tst_b")
    path = isolated_env["config"] / "credentials.json"
    assert where.startswith(f"file {path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = credentials.load_token("http://a.test/v1")
    assert loaded is not None and loaded.token == "tst_a" and "tst_a" not in repr(loaded)
    assert credentials.forget_token("http://a.test/v1") == [f"file {path}"]
    assert credentials.load_token("http://a.test/v1") is None
    assert credentials.forget_token("http://b.test/v1")
    assert not path.exists()


def test_real_keyring_without_backend_falls_back() -> None:
    # conftest sets PYTHON_KEYRING_BACKEND to keyring's fail backend.
    assert credentials._keyring() is None


def test_settings_is_frozen() -> None:
    settings = resolve_settings(env={})
    assert isinstance(settings, Settings)
    with pytest.raises(AttributeError):
        settings.mode = "remote"  # type: ignore[misc]
