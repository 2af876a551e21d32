"""Every flow of the API Keys page driven by keyboard against the embedded service."""

from __future__ import annotations

import re

import pytest
from textual import events
from textual.widgets import Input

from tests.tui.helpers import (
    loaded,
    pane,
    rendered,
    row_text,
    seed,
    server_keys,
    settle,
    table,
    wait_until,
)
from ticos_tui.core.keyformat import is_well_formed_key, snippet
from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.create import CreateKeyDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.api_keys.rename import RenameKeyDialog
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import make_app
from ticos_tui.tui.dialogs import ConfirmDialog


async def test_create_copy_close_rename_revoke(settings: Settings, copied: list[str]) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert pane(app).query_one("#keys-body").current == "keys-empty"

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        assert app.focused is not None and app.focused.id == "name"
        await pilot.press(*"Nightly Batch Script", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))

        await pilot.press("c")
        await wait_until(pilot, lambda: len(copied) == 1)
        assert is_well_formed_key(copied[0])
        full_key = copied[0]
        await pilot.press("enter")  # focus moved to Done after the copy
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))

        tbl = table(app)
        assert tbl.total == 1
        assert tbl.selected_key is not None and tbl.selected_key.name == "Nightly Batch Script"
        assert tbl.selected_key.snippet == snippet(full_key)
        assert snippet(full_key) in row_text(tbl, 0)

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        await pilot.press("ctrl+u", *"Nightly v2", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, RenameKeyDialog))
        await wait_until(pilot, lambda: tbl.selected_key.name == "Nightly v2")

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: tbl.selected_key.status == "revoked")
        assert "revoked" in row_text(tbl, 0)

    [(name, status)] = (await server_keys(settings)).values()
    assert (name, status) == ("Nightly v2", "revoked")


async def test_cancel_paths_change_nothing(settings: Settings, copied: list[str]) -> None:
    [key_id] = await seed(settings, "keep me")
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        for opener, dialog, cancel in (
            ("n", CreateKeyDialog, "escape"),
            ("e", RenameKeyDialog, "escape"),
            ("d", ConfirmDialog, "n"),
            ("d", ConfirmDialog, "escape"),
            ("delete", ConfirmDialog, "escape"),
        ):
            await pilot.press(opener)
            await wait_until(pilot, lambda d=dialog: isinstance(app.screen, d))
            if opener == "e":
                await pilot.press(*"typed but cancelled")
            await pilot.press(cancel)
            await wait_until(pilot, lambda d=dialog: not isinstance(app.screen, d))
        # enter on the focused Cancel button of the revoke dialog cancels too
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
    assert await server_keys(settings) == {key_id: ("keep me", "active")}
    assert copied == []


async def test_closing_without_copying_asks_once_more(
    settings: Settings, copied: list[str]
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"ci", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")  # go back: the key is still on screen
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, (ConfirmDialog, KeyCreatedDialog))
        )
        assert table(app).total == 1
    assert copied == []


async def test_create_validates_inline_and_keeps_the_dialog_on_errors(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateKeyDialog))
        dialog = app.screen
        submit = dialog.query_one("#submit")
        assert submit.disabled
        await pilot.press("space", "space")
        assert submit.disabled
        assert "Enter a name" in str(dialog.query_one("#name-problem").render())
        await pilot.press("ctrl+u")
        # Pasted, not pressed: 101 Pilot presses take seconds, and typing is tested elsewhere.
        dialog.query_one("#name", Input).post_message(events.Paste("x" * 101))
        await wait_until(
            pilot, lambda: "limit is 100" in str(dialog.query_one("#name-problem").render())
        )
        assert submit.disabled and "limit is 100" in str(dialog.query_one("#name-problem").render())
        await pilot.press("enter")  # ignored while invalid
        assert isinstance(app.screen, CreateKeyDialog)
        await pilot.press("backspace")
        assert not submit.disabled
    assert await server_keys(settings) == {}


async def test_filter_sort_and_delete(settings: Settings) -> None:
    await seed(settings, "alpha web", "beta batch", "gamma web")
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        assert [k.name for k in tbl.rows] == [
            "gamma web",
            "beta batch",
            "alpha web",
        ]  # newest first

        await pilot.press("slash", *"web")
        assert [k.name for k in tbl.rows] == ["gamma web", "alpha web"]
        assert "2 of 3" in str(pane(app).query_one("#keys-count").render())
        await pilot.press("escape")
        assert len(tbl.rows) == 3 and tbl.filter_text == ""

        await pilot.press("s")  # created -> name
        assert tbl.sort_column == "name"
        assert [k.name for k in tbl.rows] == ["alpha web", "beta batch", "gamma web"]

        tbl.cursor_row = 1  # beta batch
        await pilot.press("r")
        await settle(pilot)
        assert tbl.selected_key.name == "beta batch"  # the cursor stays on the same key

        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: tbl.total == 2)
        assert [k.name for k in tbl.rows] == ["alpha web", "gamma web"]
    assert sorted(n for n, _ in (await server_keys(settings)).values()) == [
        "alpha web",
        "gamma web",
    ]


@pytest.mark.parametrize(
    "name",
    ["[bold]x[/]", "[/]", "[@click=app.quit]click me[/]", "emoji 🚀 [x]", "שלום עולם"],
)
async def test_markup_like_names_render_literally(settings: Settings, name: str) -> None:
    await seed(settings, name)
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        tbl = table(app)
        # Long names are cut to the column, never parsed (drawn once the table has its width).
        await wait_until(pilot, lambda: name[:18] in row_text(tbl, 0))
        await pilot.click(ApiKeysTable, offset=(5, 1))  # a click on the name runs nothing
        details = str(pane(app).query_one("#details-text").render())
        assert name in details
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert name in str(app.screen.query_one(".dialog-body").render())
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert app.is_running


async def test_load_failure_then_retry(settings: Settings) -> None:
    import httpx

    from ticos_tui.client.http import TicosClient
    from ticos_tui.service import create_app
    from ticos_tui.service.bootstrap import local_session_token

    class FlakyTransport(httpx.AsyncBaseTransport):
        """Refuses the first few connections, then forwards to the embedded service."""

        def __init__(self, failures: int) -> None:
            self.failures = failures
            self.inner = httpx.ASGITransport(app=create_app(settings.data_dir))

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.failures > 0:
                self.failures -= 1
                raise httpx.ConnectError("connection refused", request=request)
            return await self.inner.handle_async_request(request)

    token = local_session_token(settings.data_dir)
    await seed(settings, "survivor")
    transport = FlakyTransport(failures=50)
    client = TicosClient("http://ticos.local/v1", token, transport=transport, retries=0)
    app = make_app(settings, client_factory=lambda: client)
    async with app.run_test(size=(120, 35)) as pilot:
        p = await _pane_when_ready(pilot)
        await wait_until(pilot, lambda: p.query_one("#keys-body").current == "keys-error")
        message = str(p.query_one("#keys-error-message").render())
        assert "connect" in message.lower()
        transport.failures = 0
        await pilot.press("r")
        await wait_until(pilot, lambda: p.loaded)
        assert [k.name for k in table(app).rows] == ["survivor"]


async def _pane_when_ready(pilot) -> ApiKeysPane:
    await wait_until(pilot, lambda: pilot.app.screen.query(ApiKeysPane).first(None) is not None)
    return pane(pilot.app)


async def test_help_and_account_menu(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        from ticos_tui.tui.account.menu import AccountMenu
        from ticos_tui.tui.help import HelpScreen

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))

        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: isinstance(app.screen, AccountMenu))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, AccountMenu))

        await pilot.click("#avatar")
        await wait_until(pilot, lambda: isinstance(app.screen, AccountMenu))
        await pilot.press("end", "enter")  # Account Settings, Activity, Quit: choose Quit
        await wait_until(pilot, lambda: not app.is_running)


async def test_profile_shows_the_account(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        from textual.widgets import OptionList

        await wait_until(pilot, lambda: bool(app.screen.query("#sidebar")))  # after the first frame
        sidebar = app.screen.query_one("#sidebar", OptionList)
        sidebar.focus()
        sidebar.highlighted = 0
        await wait_until(pilot, lambda: "Email" in rendered(app.screen, "#profile-body"))
        body = str(app.screen.query_one("#profile-body").render())
        assert re.search(r"acc_\w+", body) and "@localhost" in body
        assert app.screen.query_one("#avatar").label.plain.strip()


async def test_no_reference_to_the_key_after_the_dialog_closes(
    settings: Settings, copied: list[str]
) -> None:
    import gc

    from ticos_tui.core.models import CreatedKey

    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("n", *"short lived", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyCreatedDialog))
        gc.collect()
        assert any(isinstance(o, CreatedKey) for o in gc.get_objects())  # the check can see one
        await pilot.press("c", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        await settle(pilot)  # the create worker, the last to hold the key, has returned
        gc.collect()
        assert not [o for o in gc.get_objects() if isinstance(o, (CreatedKey, KeyCreatedDialog))]


async def test_create_shows_progress_ignores_a_second_enter_and_keeps_the_name_on_errors(
    fake_app,
) -> None:
    import asyncio

    from tests.tui.fakes import FakeClient
    from ticos_tui.core.errors import ValidationFailed

    class SlowThenFailing(FakeClient):
        def __init__(self) -> None:
            super().__init__([])
            self.calls = 0
            self.release = asyncio.Event()

        async def create_key(self, name: str, *, scopes=None, expires_at=None):  # type: ignore[no-untyped-def]
            self.calls += 1
            await self.release.wait()
            raise ValidationFailed("name: [bold]taken[/] \x1b[2J", status=422, detail="name: taken")

    client = SlowThenFailing()
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(ApiKeysPane)) and pane(app).loaded)
        await pilot.press("n", *"Nightly", "enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, CreateKeyDialog) and app.screen.has_class("-busy")
        )
        dialog = app.screen
        assert dialog.query_one("#submit").disabled
        await pilot.press("enter", "enter")  # ignored while the request runs
        await pilot.pause()
        assert client.calls == 1
        client.release.set()
        await wait_until(pilot, lambda: not dialog.has_class("-busy"))
        assert isinstance(app.screen, CreateKeyDialog)  # still open
        assert dialog.query_one("#name").value == "Nightly"  # the name is kept
        error = str(dialog.query_one("#server-error").render())
        assert "[bold]taken[/]" in error and "\x1b" not in error and "␛" in error


async def test_key_created_and_roll_dialogs_show_hostile_names_literally(
    fake_app, copied: list[str]
) -> None:
    """A name from a hostile server (escapes, OSC 52, markup) is shown as visible symbols everywhere."""
    from tests.tui.fakes import FakeClient
    from ticos_tui.tui.api_keys.roll import RollKeyDialog

    hostile = "[@click=app.quit]x[/] \x1b]52;c;aGk=\x07 \u202eevil"
    client = FakeClient([])
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query(ApiKeysPane)) and pane(app).loaded)
        created = await client.create_key(hostile)  # as a server might return it
        pane(app).table.upsert(created.api_key, select=True)
        await pilot.pause()
        app.push_screen(KeyCreatedDialog(created))
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, KeyCreatedDialog) and bool(app.screen.query("#copy")),
        )
        await pilot.pause()
        shown = "".join(str(w.render()) for w in app.screen.query("Static"))
        assert "[@click=app.quit]x[/]" in shown and "␛]52;c;aGk=␇" in shown and "<U+202E>" in shown
        assert not any(ch in shown for ch in "\x1b\x07\u202e")
        await pilot.press("c", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        await pilot.press("o")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, RollKeyDialog) and bool(app.screen.query("#grace")),
        )
        await pilot.pause()
        shown = "".join(str(w.render()) for w in app.screen.query("Static"))
        assert "␛]52" in shown and "\x1b" not in shown
        await pilot.press("escape")
        assert app.is_running
