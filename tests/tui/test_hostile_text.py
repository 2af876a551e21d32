"""A hostile server's names and details (markup, escape sequences, bidi, zero-width) show literally in the TUI."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Button, ContentSwitcher, OptionList

from tests.tui.faultserver import ERROR, HEALTHY, FaultServer, fault_server
from tests.tui.helpers import record_toasts, rendered, settle, wait_until
from ticos_tui.core.sanitize import visible
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # write "hello" to the clipboard
TITLE = "\x1b]0;title\x07"  # set the window title
CLEAR = "\x1b[2J"  # clear the screen
C1_CSI = "\x9b31m"  # an 8-bit CSI: red text on terminals that take C1 controls
HOSTILE = f"evil[bold]B[/] [@click=app.quit]Q[/] {OSC52}{TITLE}{CLEAR}{C1_CSI} \u202eabc\u202c z\u200bw\ufeff"
# Nothing a terminal acts on: C0 (ESC, BEL …), DEL, C1, and the invisible direction/width marks.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def unsafe_chars(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        running.add_keys("plain key")
        running.add_keys(HOSTILE)  # newest: the cursor starts on it
        running.keys[0].update(snippet=f"tk_{CLEAR}…{OSC52}", scopes=[f"x{TITLE}"])
        running.account_name = HOSTILE
        yield running


@pytest.fixture
def build_app(remote_app: Callable[..., TicosApp]) -> Callable[[FaultServer], TicosApp]:
    return remote_app


def screen_text(app: TicosApp) -> str:
    """Everything on screen as the compositor drew it (toasts and dialogs included), as text.

    The screenshot is SVG: its tags are dropped and its entities decoded, so an escape
    written as `&#27;` would be caught as well as a raw one.
    """
    return html.unescape(re.sub(r"<[^>]*>", "", app.export_screenshot()))


def assert_safe(app: TicosApp, where: str) -> str:
    shot = screen_text(app)
    assert unsafe_chars(shot) == [], f"{where}: raw control characters reached the screen"
    return shot


def table_segments(app: TicosApp) -> str:
    table = app.screen.query_one(ApiKeysTable)
    return "".join(
        segment.text for y in range(len(table.rows) + 1) for segment in table.render_line(y)
    )


async def loaded(pilot) -> ApiKeysPane:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: pilot.app.screen.query(ApiKeysPane).first(None) is not None)
    pane = pilot.app.screen.query_one(ApiKeysPane)
    await wait_until(pilot, lambda: pane.loaded)
    return pane


async def test_names_scopes_and_snippets_show_literally(
    server: FaultServer, build_app: Callable[[FaultServer], TicosApp]
) -> None:
    app = build_app(server)
    async with app.run_test(size=(160, 40)) as pilot:
        pane = await loaded(pilot)
        avatar = app.screen.query_one("#avatar", Button)
        await wait_until(pilot, lambda: avatar.label.plain.strip() != "…")  # the account is in
        table = app.screen.query_one(ApiKeysTable)
        assert table.selected_key is not None and table.selected_key.name == HOSTILE
        await wait_until(pilot, lambda: "evil" in table_segments(app))  # laid out
        assert unsafe_chars(table_segments(app)) == []
        assert "evil[bold]B[/]" in table_segments(app)  # markup kept as text
        details_text = pane.query_one("#details-text")
        await wait_until(pilot, lambda: "evil" in str(details_text.render()))
        details = str(details_text.render())
        assert unsafe_chars(details) == []
        assert visible(HOSTILE) in details
        assert "␛]52;c;aGVsbG8=␇" in details and "<U+202E>abc" in details
        shot = assert_safe(app, "the list")
        assert "evil[bold]B[/]" in shot

        # The [@click=app.quit] in the name is text: clicking it runs nothing.
        await pilot.click(ApiKeysTable, offset=(20, 1))
        await pilot.click("#details-text", offset=(20, 0))
        await pilot.pause()
        assert app.is_running

        # The profile shows the account's hostile name too.
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        app.screen.query_one("#sidebar", OptionList).highlighted = 0
        await wait_until(pilot, lambda: "Ema" in rendered(app.screen, "#profile-body"))
        await pilot.pause()
        profile = assert_safe(app, "the profile")
        assert "evil[bold]B[/]" in profile


async def test_dialogs_show_the_name_literally(
    server: FaultServer, build_app: Callable[[FaultServer], TicosApp]
) -> None:
    app = build_app(server)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = str(app.screen.query_one(".dialog-body").render())
        assert unsafe_chars(body) == [] and "[@click=app.quit]Q[/]" in body
        assert_safe(app, "the revoke dialog")
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        assert_safe(app, "the rename dialog")
        await pilot.press("escape")
        assert app.is_running


async def test_error_detail_in_the_error_state_and_in_toasts(
    server: FaultServer,
    build_app: Callable[[FaultServer], TicosApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.mode, server.error_status, server.error_detail = ERROR, 500, HOSTILE
    app = build_app(server)
    toasts = record_toasts(app, monkeypatch)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(ApiKeysPane).first(None) is not None)
        body = app.screen.query_one("#keys-body", ContentSwitcher)
        await wait_until(pilot, lambda: body.current == "keys-error")
        message = str(app.screen.query_one("#keys-error-message").render())
        assert unsafe_chars(message) == []
        assert "evil[bold]B[/] [@click=app.quit]Q[/] ␛]52;c;aGVsbG8=␇" in message
        assert_safe(app, "the error state")

        server.mode = HEALTHY
        await pilot.press("r")
        await wait_until(pilot, lambda: body.current == "keys-table")

        # A failed refresh and a failed revoke: toasts carry the detail, made visible.
        server.mode = ERROR
        for keys, title in ((("r",), "Refresh failed"), (("d", "y"), "Revoke failed")):
            await pilot.press(*keys)
            await wait_until(pilot, lambda t=title: any(n.title == t for n in toasts))
            [toast] = [n for n in toasts if n.title == title]
            assert unsafe_chars(toast.message) == []
            assert "[@click=app.quit]Q[/] ␛]52;c;aGVsbG8=␇" in toast.message
            await settle(pilot)
            assert_safe(app, title)
        assert app.is_running
