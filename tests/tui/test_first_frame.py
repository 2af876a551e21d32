"""The first frame shows the header and the keys; the rest of the screen arrives right after it.

`FirstFrameApp` records the screen as the first frame drew it (when Textual hands the first
frame to the terminal, headless or not), then the tests check that what comes later (the sidebar, the usage sparkline, the
profile, the empty and error views) arrives and shows what it should, keys pressed early
included.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import LoadingIndicator, OptionList, Sparkline

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import burst, loaded, pane, settle, table, usage_drawn, wait_until
from ticos_tui.settings.config import Settings
from ticos_tui.tui.account.profile import ProfilePane
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.views import EMPTY_TEXT
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog


def screen_text(app: TicosApp) -> str:
    """The screen's text as it is drawn now (from its SVG screenshot), lines joined."""
    svg = app.export_screenshot()
    body = svg[svg.index("<g") :]  # past the stylesheet
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


@dataclass
class FirstFrame:
    text: str = ""
    rows: int = 0  # keys in the table
    table: Region = field(default_factory=Region)  # where the table was drawn
    widgets: set[str] = field(default_factory=set)  # which of the later parts were mounted


class TerminalDriver(HeadlessDriver):
    """A terminal that tells its app when the first frame reaches it: Textual writes frames to
    a driver that is not headless (and drops any rendered during a batch update)."""

    def __init__(self, app: App[object], **options: Any) -> None:
        super().__init__(app, **options)
        self.app = app
        self.frames = 0

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        # A frame draws text; the other writes are controls alone (the pointer's shape, a bell).
        if not _CONTROLS.sub("", data).strip():
            return
        self.frames += 1
        if self.frames == 1 and isinstance(self.app, FirstFrameApp):
            self.app.first_frame_written()


# Escape sequences (CSI, OSC ending in BEL or ST) and control characters.
_CONTROLS = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.|[\x00-\x1f]"
)


class FirstFrameApp(TicosApp):
    """The app, recording its screen on the first frame and running `then` there."""

    CSS_PATH = str(Path(inspect.getfile(TicosApp)).with_name(str(TicosApp.CSS_PATH)))

    def __init__(self, *args: object, then: Callable[[TicosApp], None] | None = None, **kw: object):
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.driver_class = TerminalDriver
        self.first = FirstFrame()
        self._then = then

    def run_test(self, **options: Any) -> Any:
        """As Textual's, with the recording terminal in place of the headless one."""
        return super().run_test(headless=False, **options)

    def first_frame_written(self) -> None:
        self._first_frame(self.screen)

    def _first_frame(self, screen: Screen[object]) -> None:
        self.first.text = screen_text(self)
        self.first.rows = len(table(self).rows)
        self.first.table = table(self).region
        for name, kind in (
            ("sidebar", OptionList),
            ("sparkline", Sparkline),
            ("profile", ProfilePane),
            ("loading", LoadingIndicator),
        ):
            if screen.query(kind):
                self.first.widgets.add(name)
        for view in ("keys-empty", "keys-error"):
            if screen.query(f"#{view}"):
                self.first.widgets.add(view)
        if self._then is not None:
            # From the App's queue, as a terminal's keys come: posted from here (the screen's
            # refresh), a key's sender would be the screen, and it would stop bubbling there.
            self.call_later(self._then, self)


def first_frame_app(
    settings: Settings,
    client: FakeClient,
    *,
    then: Callable[[TicosApp], None] | None = None,
) -> FirstFrameApp:
    app = FirstFrameApp(
        settings,
        client_factory=lambda: client,
        refresh_interval=None,
        then=then,
    )
    app.animation_level = "none"
    return app


async def test_keys_not_in_yet_show_loading_in_the_first_frame(settings: Settings) -> None:
    client = FakeClient(sample_keys())
    client.hang_load = True
    app = first_frame_app(settings, client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(app.first.text))
    assert "◆ Ticos" in app.first.text and "Loading…" in app.first.text
    assert "loading" in app.first.widgets and app.first.rows == 0


async def test_the_sidebar_and_usage_arrive_after_the_first_frame(settings: Settings) -> None:
    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        sidebar = app.screen.query_one("#sidebar", OptionList)
        assert sidebar.highlighted == 1  # API Keys
        details = pane(app)
        await wait_until(
            pilot, lambda: "requests" in str(details.query_one("#usage-text").render())
        )
        assert keys[0].id in str(details.query_one("#details-text").render())
        assert details.query_one(Sparkline).data and details.query_one(Sparkline).visible
        # The table's rows did not move when the rest arrived: the same first row, same place.
        assert table(app).region.y == app.screen.query_one("#keys-body").region.y


@pytest.mark.parametrize("size", [(120, 35), (80, 24), (60, 20)])
async def test_the_table_keeps_its_place_and_size_when_the_rest_arrives(
    settings: Settings, size: tuple[int, int]
) -> None:
    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        details = pane(app)
        await wait_until(pilot, lambda: usage_drawn(details))
        await settle(pilot)
        assert app.first.table.height > 2  # rows were drawn
        assert table(app).region == app.first.table


async def test_a_key_moved_to_before_the_details_are_in_shows_in_them(
    settings: Settings,
) -> None:
    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys), then=lambda a: burst(a, "j", "j"))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: table(app).cursor_row == 2)
        details = pane(app)
        await wait_until(
            pilot, lambda: "requests" in str(details.query_one("#usage-text").render())
        )
        assert keys[2].id in str(details.query_one("#details-text").render())
        # "last used 12 hours ago": the usage line is the third key's, not the first's ("never").
        assert "never" not in str(details.query_one("#usage-text").render())


async def test_n_pressed_on_the_first_frame_opens_the_create_dialog(settings: Settings) -> None:
    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys), then=lambda a: burst(a, "n", *"Early"))
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        dialog = app.screen
        await wait_until(pilot, lambda: bool(dialog.query("#name")))
        await wait_until(pilot, lambda: dialog.query_one("#name").value == "Early")  # type: ignore[attr-defined]


async def test_profile_composed_when_first_shown_with_the_account(settings: Settings) -> None:
    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await settle(pilot)  # the account is in: the header has its initials
        assert not app.screen.query(ProfilePane)
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        app.screen.query_one("#sidebar", OptionList).highlighted = 0
        await wait_until(pilot, lambda: bool(app.screen.query(ProfilePane)))
        profile = app.screen.query_one(ProfilePane)
        await wait_until(
            pilot, lambda: "Ada Lovelace" in str(profile.query_one("#profile-body").render())
        )
        assert profile.display and not pane(app).display


async def test_the_empty_view_appears_when_due(settings: Settings) -> None:
    app = first_frame_app(settings, FakeClient([]))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: pane(app).query_one("#keys-body").current == "keys-empty")
        assert "You have no API keys yet." in screen_text(app)
    assert "keys-empty" in app.first.widgets  # an empty list: the first frame says so


async def test_the_empty_view_appears_when_the_last_key_goes(settings: Settings) -> None:
    keys = sample_keys(1)
    app = first_frame_app(settings, FakeClient(keys))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert "keys-empty" not in app.first.widgets
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: pane(app).query_one("#keys-body").current == "keys-empty")
        assert EMPTY_TEXT.splitlines()[0] in screen_text(app)


async def test_the_error_view_appears_when_the_load_fails_and_retry_loads(
    settings: Settings,
) -> None:
    from ticos_tui.core.errors import ConnectionFailed

    client = FakeClient(sample_keys(), fail_load=ConnectionFailed("the server is down (test)"))
    app = first_frame_app(settings, client)
    async with app.run_test(size=(120, 35)) as pilot:
        body = pane(app).query_one("#keys-body")
        await wait_until(pilot, lambda: body.current == "keys-error")
        assert "the server is down (test)" in str(
            app.screen.query_one("#keys-error-message").render()
        )
        assert "Press r to retry." in screen_text(app)
        client.fail_load = None
        await pilot.press("r")
        await wait_until(pilot, lambda: body.current == "keys-table" and table(app).total == 5)


async def test_tab_order_is_the_same_once_the_rest_is_in(settings: Settings) -> None:
    """The sidebar mounted later still comes where it was composed: header, sidebar, pane."""
    from ticos_tui.core.errors import ConnectionFailed

    keys = sample_keys()
    app = first_frame_app(settings, FakeClient(keys))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        chain = [w.id for w in app.screen.focus_chain]
        assert chain == ["avatar", "sidebar", "create-key", "keys-table"]

    failing = FakeClient(fail_load=ConnectionFailed("down (test)"))
    app = first_frame_app(settings, failing)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: pane(app).query_one("#keys-body").current == "keys-error")
        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))
        chain = [w.id for w in app.screen.focus_chain]
        assert chain == ["avatar", "sidebar", "create-key", "keys-retry"]
