"""The TUI against a real loopback server that refuses, fails, stalls, hangs up or sends broken JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual import events
from textual.widgets import ContentSwitcher

from tests.tui.faultserver import (
    BAD_JSON,
    CUT,
    ERROR,
    HEALTHY,
    SLOW,
    TOKEN,
    FaultServer,
    fault_server,
)
from tests.tui.helpers import pane, record_toasts, wait_until
from ticos_tui.client.http import TicosClient
from ticos_tui.core.timefmt import Clock
from ticos_tui.settings.config import resolve_settings
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import TicosApp, make_app
from ticos_tui.tui.dialogs import ConfirmDialog
from ticos_tui.tui.help import HelpScreen

CLIENT_TIMEOUT = 1.0
HELD_TIMEOUT = 30.0  # a request the test holds and then answers must not time out meanwhile
HANDLED_WITHIN = 5.0  # seconds; the requests these tests hang outlast it


@dataclass(frozen=True)
class Fault:
    """How to break the server, and what the user must be told about it."""

    name: str
    words: str  # what the message must say

    @property
    def client_timeout(self) -> float:
        """Short only where the timeout is the fault: on a busy machine, checking the app while
        a request hangs may take longer than CLIENT_TIMEOUT, and the answer must still count."""
        return CLIENT_TIMEOUT if self.name == "timeout" else HELD_TIMEOUT

    @property
    def hangs(self) -> bool:
        """Whether the failing request stays open until the test releases it (or the client gives up)."""
        return self.name != "refused"

    def apply(self, server: FaultServer) -> None:
        if self.name == "refused":
            server.refuse()
            return
        # The answer waits until `answer()`: the app is tested while the request hangs. The
        # timeout case is never released in time: the server answers after the client gave up.
        server.hold()
        server.mode = {"500": ERROR, "timeout": HEALTHY, "cut": CUT, "bad-json": BAD_JSON}[
            self.name
        ]
        server.error_status, server.error_detail = 500, "internal error"

    def answer(self, server: FaultServer) -> None:
        if self.name != "timeout":
            server.release()

    def fix(self, server: FaultServer) -> None:
        server.mode = HEALTHY
        server.release()
        server.listen()


FAULTS = [
    Fault("refused", "cannot connect to"),
    Fault("500", "failed (HTTP 500): internal error"),
    Fault("timeout", f"did not answer within {CLIENT_TIMEOUT:g} s"),
    Fault("cut", "peer closed connection without sending complete message body"),
    Fault("bad-json", "its JSON is malformed"),
]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        running.add_keys("alpha", "beta", "gamma")
        yield running


@pytest.fixture
def build_app(remote_app: Callable[..., TicosApp]) -> Callable[..., TicosApp]:
    return lambda server, timeout=CLIENT_TIMEOUT: remote_app(server, timeout=timeout)


def body_state(app: TicosApp) -> str | None:
    return pane(app).query_one("#keys-body", ContentSwitcher).current


def names(app: TicosApp) -> list[str]:
    return [key.name for key in app.screen.query_one(ApiKeysTable).rows]


async def pane_ready(pilot) -> ApiKeysPane:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: pilot.app.screen.query(ApiKeysPane).first(None) is not None)
    return pane(pilot.app)


async def assert_responsive(pilot) -> None:  # type: ignore[no-untyped-def]
    """Press `?` as a terminal would; its action must run while any request still hangs.

    The key goes in as the driver delivers it (a posted `Key` event). The hanging requests
    wait far longer (the server stalls past the client's timeout) than `HANDLED_WITHIN`, so an
    event loop blocked on one of them could not show the help screen in time: the test waits
    for that event, not for a number of milliseconds, and passes on a busy machine.
    """
    app = pilot.app
    app.post_message(events.Key("question_mark", "?"))
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), timeout=HANDLED_WITHIN)
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))


def press_now(app: TicosApp, key: str) -> None:
    """Deliver `key` as the terminal driver does, without the pilot's wait for the app to settle."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def wait_for_hanging_list(pilot, server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: server.pending("/v1/api-keys"), timeout=5)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_first_load_fails_in_words_and_r_retries(
    server: FaultServer, build_app: Callable[..., TicosApp], fault: Fault
) -> None:
    fault.apply(server)
    app = build_app(server, fault.client_timeout)
    async with app.run_test(size=(120, 35)) as pilot:
        keys_pane = await pane_ready(pilot)
        if fault.hangs:
            await wait_for_hanging_list(pilot, server)
            assert body_state(app) == "keys-loading"
            await assert_responsive(pilot)  # while the request hangs
            assert server.pending("/v1/api-keys")
            fault.answer(server)
        await wait_until(pilot, lambda: body_state(app) == "keys-error")
        message = str(keys_pane.query_one("#keys-error-message").render())
        # Prose: our own line break is a line break, not a visible ␊.
        assert message.startswith("Could not load your API keys.\n")
        assert "␊" not in message
        assert fault.words in message
        assert TOKEN not in message
        error_state = str(keys_pane.query_one("#keys-error").query("Static").nodes[1].render())
        assert "Press r to retry" in error_state
        await assert_responsive(pilot)  # and after it failed

        requests = server.count("GET", "/v1/api-keys")
        await pilot.press("r")  # still broken: the error stays, the app keeps going
        if fault.hangs:
            await wait_until(pilot, lambda: server.count("GET", "/v1/api-keys") > requests)
        await wait_until(pilot, lambda: body_state(app) == "keys-error")
        assert fault.words in str(keys_pane.query_one("#keys-error-message").render())

        fault.fix(server)
        await pilot.press("r")
        await wait_until(pilot, lambda: keys_pane.loaded)
        assert body_state(app) == "keys-table"
        assert names(app) == ["gamma", "beta", "alpha"]
        assert app.is_running


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_failed_refresh_keeps_every_row_and_says_so(
    server: FaultServer,
    build_app: Callable[..., TicosApp],
    fault: Fault,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = build_app(server, fault.client_timeout)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 35)) as pilot:
        keys_pane = await pane_ready(pilot)
        await wait_until(pilot, lambda: keys_pane.loaded)
        table = app.screen.query_one(ApiKeysTable)
        table.action_cursor_down()  # on "beta": the cursor must survive the failure too
        before = list(table.rows)
        await pilot.pause()

        fault.apply(server)
        press_now(app, "r")
        if fault.hangs:
            await wait_for_hanging_list(pilot, server)
            await assert_responsive(pilot)
            assert server.pending("/v1/api-keys")
            assert table.rows == before
            fault.answer(server)
        await wait_until(pilot, lambda: any(t.title == "Refresh failed" for t in toasts))
        [toast] = [t for t in toasts if t.title == "Refresh failed"]
        assert toast.severity == "error"
        assert fault.words in toast.message and toast.message.endswith("\nPress r to retry.")
        assert table.rows == before and body_state(app) == "keys-table"
        assert table.selected_key is not None and table.selected_key.name == "beta"
        await assert_responsive(pilot)

        fault.fix(server)
        server.add_keys("delta")
        await pilot.press("r")
        await wait_until(pilot, lambda: "delta" in names(app))
        assert names(app) == ["delta", "gamma", "beta", "alpha"]
        assert table.selected_key is not None and table.selected_key.name == "beta"


@pytest.mark.parametrize(("opener", "title"), [("d", "Revoke failed"), ("delete", "Delete failed")])
async def test_failed_revoke_or_delete_leaves_the_row_as_it_was(
    server: FaultServer,
    build_app: Callable[[FaultServer], TicosApp],
    monkeypatch: pytest.MonkeyPatch,
    opener: str,
    title: str,
) -> None:
    app = build_app(server)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(120, 35)) as pilot:
        keys_pane = await pane_ready(pilot)
        await wait_until(pilot, lambda: keys_pane.loaded)
        table = app.screen.query_one(ApiKeysTable)
        before = list(table.rows)

        server.mode, server.error_status, server.error_detail = ERROR, 500, "database is locked"
        await pilot.press(opener)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: any(t.title == title for t in toasts))
        [toast] = [t for t in toasts if t.title == title]
        assert toast.severity == "error"
        assert "failed (HTTP 500): database is locked" in toast.message
        assert table.rows == before and table.selected_key == before[0]
        assert table.selected_key.status == "active"

        server.mode = HEALTHY  # the same action works once the server does
        await pilot.press(opener)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        if opener == "d":
            await wait_until(pilot, lambda: table.rows[0].status == "revoked")
        else:
            await wait_until(pilot, lambda: table.total == 2)
            assert names(app) == ["beta", "alpha"]


async def test_failed_rename_keeps_the_dialog_and_the_name(
    server: FaultServer, build_app: Callable[[FaultServer], TicosApp]
) -> None:
    app = build_app(server)
    async with app.run_test(size=(120, 35)) as pilot:
        keys_pane = await pane_ready(pilot)
        await wait_until(pilot, lambda: keys_pane.loaded)
        table = app.screen.query_one(ApiKeysTable)

        server.mode = SLOW
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        await pilot.press("ctrl+u", *"renamed", "enter")
        await wait_until(pilot, lambda: server.pending("/v1/api-keys/"))
        dialog = app.screen
        await wait_until(pilot, lambda: dialog.query_one("#server-error").has_class("-shown"))
        shown = str(dialog.query_one("#server-error").render())
        assert f"did not answer within {CLIENT_TIMEOUT:g} s" in shown
        assert isinstance(app.screen, RenameKeyDialog)  # still open, with what was typed
        assert table.selected_key is not None and table.selected_key.name == "gamma"

        server.mode = HEALTHY
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))
        await wait_until(pilot, lambda: table.selected_key.name == "renamed")


async def test_key_presses_are_handled_at_once_while_the_list_hangs(
    server: FaultServer, isolated_env: dict[str, Path], fixed_clock: Clock
) -> None:
    """A long client timeout and a server that never answers: the app never waits on it."""
    server.mode, server.slow_seconds = SLOW, 60
    settings = resolve_settings(base_url=server.url, token=TOKEN, data_dir=isolated_env["data"])
    app = make_app(
        settings,
        client_factory=lambda: TicosClient(server.url, TOKEN, timeout=30),
        clock=fixed_clock,
    )
    app.animation_level = "none"
    async with app.run_test(size=(120, 35)) as pilot:
        await pane_ready(pilot)
        await wait_for_hanging_list(pilot, server)
        for _ in range(5):
            await assert_responsive(pilot)
        await pilot.press("slash", *"abc", "escape")
        assert body_state(app) == "keys-loading"
        await pilot.press("q")  # quitting does not wait for the request either
        await wait_until(pilot, lambda: not app.is_running, timeout=3)


async def test_the_timeout_bounds_the_wait_and_the_message_says_how_long(
    isolated_env: dict[str, Path], server: FaultServer
) -> None:
    """A server that never answers: the app's own client gives up after `timeout`, and says so."""
    server.hold()
    settings = resolve_settings(base_url=server.url, token=TOKEN, data_dir=isolated_env["data"])
    app = make_app(settings, timeout=0.5)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: body_state(app) == "keys-error", timeout=30)
        message = str(app.screen.query_one("#keys-error-message").render())
        assert "did not answer within 0.5 s" in message


def test_the_tui_command_hands_its_timeout_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import ticos_tui.tui.app as tui_app
    from ticos_tui.cli import launch, main

    given: dict[str, object] = {}

    class NotRun:
        def run(self) -> None:
            return None

    def fake_make_app(settings: object, **kwargs: object) -> NotRun:
        given.update(kwargs)
        return NotRun()

    monkeypatch.setattr(tui_app, "make_app", fake_make_app)
    monkeypatch.setattr(launch, "_has_terminal", lambda: True)  # as on a terminal
    monkeypatch.setattr(launch, "_end_on_hangup", lambda app: None)
    assert main(["--timeout", "2"]) == 0
    assert given["timeout"] == 2.0
