"""The table tells the page about the highlighted key when it changes, not on every recompute."""

from __future__ import annotations

from collections.abc import Callable

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, table, wait_until
from ticos_tui.tui.api_keys.table import ApiKeysTable
from ticos_tui.tui.app import TicosApp

AppFactory = Callable[..., TicosApp]


async def test_highlighted_is_posted_per_key_not_per_recompute(fake_app: AppFactory) -> None:
    app = fake_app(FakeClient(sample_keys()))
    seen: list[str | None] = []

    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        keys_table = table(app)

        def record(event: ApiKeysTable.Highlighted) -> None:
            seen.append(event.key.id if event.key else None)

        # Watch what the table posts from now on (the pane hears the same messages).
        original = keys_table.post_message

        def post(message: object) -> bool:
            if isinstance(message, ApiKeysTable.Highlighted):
                record(message)
            return original(message)  # type: ignore[arg-type]

        keys_table.post_message = post  # type: ignore[method-assign]
        first = keys_table.selected_key
        assert first is not None
        keys_table.filter_text = first.name[:3]  # a recompute that keeps the same key selected
        keys_table.filter_text = ""
        await pilot.press("down")
        await wait_until(pilot, lambda: len(seen) >= 1)
        await pilot.pause()
        second = keys_table.selected_key
        assert second is not None and second.id != first.id
        assert seen == [second.id]
