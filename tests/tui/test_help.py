"""Help lists every key that works where it was opened, from the live bindings, and says true things about dialogs."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, wait_until
from ticos_tui.tui.app import TicosApp
from ticos_tui.tui.help import HelpScreen

AppFactory = Callable[..., TicosApp]


async def test_help_lists_palette_quit_vim_keys_and_tab(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {key for keys, _what in help_screen.rows() for key in keys.split()}
        for key in ("^p", "^q", "q", "j", "k", "g", "G", "tab", "?", "n", "del"):
            assert key in keys, key
        words = " ".join(what for _keys, what in help_screen.rows())
        assert "command palette" in words
        text = " ".join(str(s.render()) for s in help_screen.query(".hint"))
        assert "enter confirms" not in text  # Revoke and Delete start on Cancel
        assert "y confirms" in text and "enter presses the focused button" in text
