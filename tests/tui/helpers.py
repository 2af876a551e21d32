"""What the TUI tests share: waiting for a condition or for the workers (never for a fixed time), finding the pane, seeding keys, recording toasts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from tests.waiting import described
from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.wiring import open_client


async def wait_until(
    pilot: Pilot[object],
    condition: Callable[[], bool],
    timeout: float = 10.0,
    what: Callable[[], str] | str | None = None,
) -> None:
    """Let the app run until `condition()` holds; after `timeout`, fail saying what it waited
    for (`what`, or the condition's source) and, if `what` is a function, what it found."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"waited {timeout} s for: {said or described(condition)}")
        await pilot.pause(0.02)


S = TypeVar("S", bound=Screen[object])


async def press_for(pilot: Pilot[object], key: str, screen: type[S]) -> S:
    """Press `key` and wait for the screen it opens (a `screen`); returns that screen."""
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen))
    opened = pilot.app.screen
    assert isinstance(opened, screen)
    return opened


async def settle(pilot: Pilot[object], timeout: float = 10.0) -> None:
    """Wait until no worker of the app is running, then let the messages they posted drain."""
    app = pilot.app

    def still_running() -> str:
        names = [w.name or repr(w) for w in app.workers if w.is_running]
        return f"the app's workers to finish (still running: {', '.join(names)})"

    await wait_until(
        pilot, lambda: not any(w.is_running for w in app.workers), timeout, still_running
    )
    await pilot.pause()


def rendered(node: DOMNode, selector: str) -> str:
    """What the widget `selector` under `node` shows now; "" while it is not mounted yet.

    Parts of the screen are mounted after its first frame (the sidebar, the usage, the
    profile): a test waits for what they show, not for them to exist.
    """
    found = node.query(selector)
    return str(found.first().render()) if found else ""


def usage_drawn(node: DOMNode) -> bool:
    """The selected key's usage words under `node` are in and laid out at their own width.

    The words are `width: auto`: a picture taken in the frame after they change can still
    draw them in the old, narrower place (`112 requests in` / `the last 30`).
    """
    found = node.query("#usage-text")
    if not found:
        return False
    words = found.first(Widget)
    text = str(words.render())
    if "requests" not in text or words.parent is None:
        return False
    room = words.parent.size.width if isinstance(words.parent, Widget) else words.size.width
    return words.size.width >= min(cell_len(text), room)


def pane(app: App[object]) -> ApiKeysPane:
    return app.screen.query_one(ApiKeysPane)


def table(app: App[object]) -> ApiKeysTable:
    return app.screen.query_one(ApiKeysTable)


def row_text(tbl: ApiKeysTable, row: int) -> str:
    return tbl.render_line(row + 1).text


def is_loaded(app: App[object]) -> bool:
    """The keys pane is up, has every page of keys in, and the table (if shown) is laid out."""
    panes = app.screen.query(ApiKeysPane)
    if not panes or not panes.first().loaded:
        return False
    tbl = panes.first().table
    return not tbl.display or tbl.scrollable_content_region.width > 0


def account_settled(app: App[object]) -> bool:
    """The account request is answered: the header shows the account (or the profile why not).

    It runs beside the keys' load and may end after it on a busy machine: a picture taken
    before would show the header without the account."""
    return not any(w.group == "account" and not w.is_finished for w in app.workers)


async def loaded(pilot: Pilot[object], timeout: float = 10.0) -> None:
    """Wait until the keys pane has every page of keys in."""
    await wait_until(pilot, lambda: is_loaded(pilot.app), timeout)


async def seed(settings: Settings, *names: str) -> list[str]:
    """Create keys through a second client on the same data folder; returns their ids."""
    client = open_client(settings)
    try:
        return [(await client.create_key(name)).api_key.id for name in names]
    finally:
        await client.aclose()


async def server_keys(settings: Settings) -> dict[str, tuple[str, str]]:
    """What the service holds: id -> (name, status)."""
    client = open_client(settings)
    try:
        return {k.id: (k.name, k.status) for k in await client.list_keys()}
    finally:
        await client.aclose()


@dataclass
class Toast:
    message: str
    title: str
    severity: str


def record_toasts(app: App[object], monkeypatch: pytest.MonkeyPatch) -> list[Toast]:
    """Every notification the app raises, as it passes through `App.notify`."""
    toasts: list[Toast] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", severity: str = "information", **kw: object):  # type: ignore[no-untyped-def]
        toasts.append(Toast(str(message), title, severity))
        return notify(message, title=title, severity=severity, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "notify", recording)
    return toasts


_KEY_NAMES = {" ": "space", "/": "slash", "?": "question_mark", "-": "minus", ".": "full_stop"}


def burst(app: App[object], *keys: str) -> None:
    """Queue every key at once, as a terminal delivers a fast typist's (or tmux's) burst.

    A one-character string is typed as that character; a longer one is a key name ("enter").
    Unlike `pilot.press`, nothing runs between the keys.
    """
    from textual import events

    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_KEY_NAMES.get(key, key), key))
        else:
            app.post_message(events.Key(key, {"enter": "\r", "tab": "\t"}.get(key)))
