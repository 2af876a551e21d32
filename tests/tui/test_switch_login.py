"""The account menu switches logins without a restart (issue 23, section 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from textual.widgets import Label

from tests.served import Served, free_port, start_service
from tests.tui.helpers import account_settled, loaded, pane, rendered, seed, wait_until
from ticos_tui.settings.config import (
    Settings,
    config_file_path,
    normalize_base_url,
    read_config_file,
)
from ticos_tui.settings.credentials import store_token
from ticos_tui.tui.account.header import AppHeader
from ticos_tui.tui.account.logins import LoginChooser
from ticos_tui.tui.account.menu import AccountMenu
from ticos_tui.tui.app import TicosApp, make_app


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    service = start_service(tmp_path / "served")
    try:
        yield service
    finally:
        service.stop()


def _header(app: TicosApp) -> str:
    return str(app.screen.query_one(AppHeader).query_one("#mode", Label).render())


def _names(app: TicosApp) -> list[str]:
    return [key.name for key in pane(app).table.rows]


async def _choose_login(pilot, app: TicosApp, name: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+a")
    await wait_until(pilot, lambda: isinstance(app.screen, AccountMenu))
    await pilot.press("down", "down", "enter")  # Account Settings, Activity, Switch login…
    await wait_until(pilot, lambda: isinstance(app.screen, LoginChooser))
    chooser = app.screen
    assert isinstance(chooser, LoginChooser)
    options = chooser.query_one("#logins")
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    index = next(i for i, prompt in enumerate(prompts) if f"  {name}  " in prompt)
    options.highlighted = index
    await pilot.press("enter")


async def test_the_menu_switches_to_another_login_and_back(
    settings: Settings, served: Served
) -> None:
    url = normalize_base_url(served.base_url + "/v1")
    host = url.split("//")[1].split("/")[0]
    store_token(url, served.token())
    headers = {"Authorization": f"Bearer {served.token()}"}
    httpx.post(f"{url}/api-keys", json={"name": "on-served"}, headers=headers).raise_for_status()
    await seed(settings, "on-local")

    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert _names(app) == ["on-local"]
        await pilot.press("space")  # a mark of the local account
        await wait_until(pilot, lambda: len(pane(app).table.marked_keys()) == 1)
        await _choose_login(pilot, app, host)
        await wait_until(pilot, lambda: _header(app).startswith(f"Account Settings · {host}"))
        await loaded(pilot)
        await wait_until(pilot, lambda: _names(app) == ["on-served"])
        assert not pane(app).table.marked_keys()  # nothing of the old account stays
        assert read_config_file(config_file_path()).get("base_url") == url  # now the default
        await wait_until(pilot, lambda: "@" in _header(app))  # the served account's email

        await _choose_login(pilot, app, "local")
        await wait_until(pilot, lambda: _header(app).startswith("Account Settings · local"))
        await loaded(pilot)
        await wait_until(pilot, lambda: _names(app) == ["on-local"])
        assert read_config_file(config_file_path()).get("base_url") in (None, "")


async def test_a_login_whose_server_is_down_says_so_and_the_app_can_switch_back(
    settings: Settings,
) -> None:
    gone = normalize_base_url(f"http://127.0.0.1:{free_port()}/v1")
    store_token(gone, "tst_" + "x" * 43)
    await seed(settings, "on-local")
    app = make_app(settings, timeout=3.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await _choose_login(pilot, app, gone.split("//")[1].split("/")[0])
        await wait_until(
            pilot, lambda: rendered(app.screen, "#keys-error-message") != "", timeout=20
        )
        error = rendered(app.screen, "#keys-error-message")
        assert f"cannot connect to {gone}" in error, error
        assert _header(app).startswith("Account Settings · 127.0.0.1")
        await _choose_login(pilot, app, "local")
        await wait_until(pilot, lambda: _header(app).startswith("Account Settings · local"))
        await loaded(pilot)
        assert _names(app) == ["on-local"]


_LOGINS = [
    ("http://ticos.local/v1", "the local service's data folder"),
    ("https://ticos.example.com/v1", "the OS keyring"),
    ("https://staging.example.com:8443/v1", "file ~/.config/ticos-tui/credentials"),
]


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=["120x35", "80x24"])
def test_login_chooser_snapshot(snap_compare, fake_app, monkeypatch, size) -> None:  # type: ignore[no-untyped-def]
    from tests.tui.fakes import FakeClient, sample_keys
    from ticos_tui.settings import logins

    monkeypatch.setattr(logins, "all_logins", lambda env=None: _LOGINS)

    async def chooser_open(pilot) -> None:  # type: ignore[no-untyped-def]
        await loaded(pilot)
        await wait_until(pilot, lambda: account_settled(pilot.app))
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, AccountMenu))
        await pilot.press("down", "down", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, LoginChooser))
        await pilot.pause()

    assert snap_compare(
        fake_app(FakeClient(sample_keys(3))), terminal_size=size, run_before=chooser_open
    )
