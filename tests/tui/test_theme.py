"""A theme picked in the app is remembered in config.toml, without losing anything else in it."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, record_toasts, wait_until
from ticos_tui.core.errors import ConfigError
from ticos_tui.settings.config import Settings, resolve_settings, save_config_value

CONFIG = """# my settings, by hand
data_dir = "{data}"   # where my keys live

[notes]
theme = "not this one: a table's own key"
"""


def _config(settings: Settings) -> Path:
    path = settings.config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG.format(data=settings.data_dir))
    return path


def _saved(path: Path) -> object:
    try:
        return tomllib.loads(path.read_text()).get("theme")
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return None


async def test_a_picked_theme_is_saved_and_comes_back_on_restart(
    fake_app, settings: Settings
) -> None:
    path = _config(settings)
    app = fake_app(FakeClient(sample_keys(2)))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert app.theme != "nord"
        app.theme = "nord"
        await wait_until(pilot, lambda: _saved(path) == "nord")
    text = path.read_text()
    assert "# my settings, by hand" in text and "# where my keys live" in text
    data = tomllib.loads(text)
    assert data["data_dir"] == str(settings.data_dir)
    assert data["notes"] == {"theme": "not this one: a table's own key"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again = fake_app(FakeClient(sample_keys(2)))
    async with again.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert again.theme == "nord"


async def test_a_theme_is_saved_with_no_config_file_yet(fake_app, settings: Settings) -> None:
    app = fake_app(FakeClient([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.theme = "gruvbox"
        await wait_until(pilot, lambda: _saved(settings.config_file) == "gruvbox")
    assert stat.S_IMODE(settings.config_file.stat().st_mode) == 0o600
    assert resolve_settings(data_dir=settings.data_dir).mode == "embedded"  # still readable


async def test_textual_theme_in_the_environment_wins(
    fake_app, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config(settings)
    save_config_value(path, "theme", "nord")
    monkeypatch.setenv("TEXTUAL_THEME", "textual-light")
    app = fake_app(FakeClient([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.theme != "nord"


@pytest.mark.parametrize("value", ['"no-such-theme"', "42"])
async def test_an_unknown_saved_theme_is_ignored(fake_app, settings: Settings, value: str) -> None:
    path = settings.config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"theme = {value}\n")
    app = fake_app(FakeClient([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert app.theme == "textual-dark"


async def test_a_config_that_cannot_be_updated_is_left_alone_with_one_notice(
    fake_app, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings.config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    tricky = 'data_dir = """\ntheme = "inside a string"\n"""\n'
    path.write_text(tricky)
    app = fake_app(FakeClient([]))
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.theme = "nord"
        await wait_until(pilot, lambda: any("theme" in t.message for t in toasts))
    assert path.read_text() == tricky


def test_save_config_value_refuses_to_rewrite_a_file_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("data_dir = [unclosed\n")
    with pytest.raises(ConfigError):
        save_config_value(path, "theme", "nord")
    assert path.read_text() == "data_dir = [unclosed\n"
