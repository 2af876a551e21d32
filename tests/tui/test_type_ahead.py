"""Keys typed straight after a key that opens a dialog (or the filter) go to it, at any speed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import burst, loaded, pane, table, wait_until
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import CreatedKey
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.dialogs import ConfirmDialog
from ticos_tui.tui.help import HelpScreen

AppFactory = Callable[..., TicosApp]


async def test_a_burst_after_n_names_the_new_key(fake_app: AppFactory) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        keys_table = table(app)
        burst(app, "n", *"Fast typed name", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "copy")
        assert client.keys[0].name == "Fast typed name"
        assert keys_table.sort_column == "created"  # the `s` in "Fast" sorted nothing


async def test_pilot_presses_without_pauses_name_the_new_key(fake_app: AppFactory) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"Fast typed name", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        assert client.keys[0].name == "Fast typed name"


async def test_ndy_types_dy_into_the_create_dialog_and_revokes_nothing(
    fake_app: AppFactory,
) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "n", "d", "y")
        await wait_until(pilot, lambda: name_typed(app) == "dy")
        assert not any(isinstance(s, ConfirmDialog) for s in app.screen_stack)
        assert [k.status for k in client.keys] == [k.status for k in sample_keys()]


async def test_a_burst_after_e_renames(fake_app: AppFactory) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "e", "ctrl+u", *"Renamed fast", "enter")
        await wait_until(pilot, lambda: client.keys[0].name == "Renamed fast")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))


async def test_d_then_y_at_once_revokes_the_selected_key(fake_app: AppFactory) -> None:
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "d", "y")
        await wait_until(pilot, lambda: client.keys[0].status == "revoked")


async def test_a_burst_after_slash_filters(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "/", *"staging")
        field = pane(app).query_one("#keys-filter")
        await wait_until(pilot, lambda: field.value == "staging")
        assert [k.name for k in table(app).rows] == ["Staging web"]


async def test_help_then_escape_then_n_at_once_opens_create(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "?", "escape", "n", *"after help")
        await wait_until(pilot, lambda: name_typed(app) == "after help")
        assert not any(isinstance(s, HelpScreen) for s in app.screen_stack)


def name_typed(app: TicosApp) -> str | None:
    """The create dialog's name field, once the dialog is up and composed; else None."""
    if not isinstance(app.screen, CreateKeyDialog):
        return None
    found = app.screen.query("#name")
    return str(found.first().value) if found else None


class RefusingClient(FakeClient):
    """Refuses each create once `answer` is set: the request is in flight until then."""

    def __init__(self) -> None:
        super().__init__(sample_keys())
        self.answer = asyncio.Event()
        self.asked = 0

    async def create_key(self, name: str, **kwargs: Any) -> CreatedKey:
        self.asked += 1
        await self.answer.wait()
        self.answer.clear()
        raise TicosError(f"the name {name} is taken")


async def test_keys_typed_while_a_create_fails_go_back_to_the_dialog(
    fake_app: AppFactory,
) -> None:
    client = RefusingClient()
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "n", *"dup", "enter", "x", "enter", "y")
        await wait_until(pilot, lambda: client.asked == 1)
        await pilot.pause()
        assert name_typed(app) == "dup"  # held while the request runs: not typed, not lost
        client.answer.set()  # refused: x goes to the name, enter sends it again, y waits
        await wait_until(pilot, lambda: client.asked == 2)
        await pilot.pause()
        assert name_typed(app) == "dupx"
        client.answer.set()
        await wait_until(pilot, lambda: name_typed(app) == "dupxy")
        assert isinstance(app.screen, CreateKeyDialog)


async def test_keys_after_escape_on_a_new_key_go_to_the_guard_it_opens_then_the_page(
    fake_app: AppFactory,
) -> None:
    """Escape on an uncopied new key asks first (the question comes after a step in a worker):
    `y` typed with it answers that question, and the `e` after it renames on the page."""
    client = FakeClient(sample_keys())
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        burst(app, "n", *"typed fast", "enter", "c")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        burst(app, "escape", "y", "e", "ctrl+u", *"renamed fast", "enter")
        await wait_until(pilot, lambda: client.keys[0].name == "renamed fast")
        assert not isinstance(app.screen, (KeyCreatedDialog, ConfirmDialog, RenameKeyDialog))
