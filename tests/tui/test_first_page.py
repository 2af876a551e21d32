"""The first page of keys fetched ahead by a child process, and how the app takes it over."""

from __future__ import annotations

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, seed, table, wait_until
from ticos_tui import prefetch
from ticos_tui.config import Settings, resolve_settings
from ticos_tui.connect import open_client
from ticos_tui.models import ApiKey
from ticos_tui.tui.app import make_app


async def test_the_child_fetches_the_first_page_the_client_would(settings: Settings) -> None:
    await seed(settings, *[f"key {i}" for i in range(prefetch.FIRST_PAGE_SIZE + 5)])
    first = prefetch.start(settings)
    assert first is not None
    keys = first.wait()
    client = open_client(settings)
    try:
        expected = (await client.list_keys_page(limit=prefetch.FIRST_PAGE_SIZE)).keys
    finally:
        await client.aclose()
    assert keys == expected and len(keys) == prefetch.FIRST_PAGE_SIZE
    assert first.wait() == expected  # asked again: the same answer, the child long gone


async def test_a_fresh_data_folder_gets_one_account_and_a_working_token(
    settings: Settings,
) -> None:
    """The child creates the local account; the app's own client, opened after it, uses it."""
    first = prefetch.start(settings)
    assert first is not None
    assert first.wait() == []
    app = make_app(settings, first_page=first)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert table(app).total == 0
        client = await app.get_client()
        assert (await client.account()).email.endswith("@localhost")


def test_no_child_for_a_remote_server(isolated_env: object) -> None:
    remote = resolve_settings(base_url="https://ticos.example", token="t" * 40)
    assert prefetch.start(remote) is None


class HandedOver:
    """Stands in for the child's answer, and records when it was asked."""

    def __init__(self, keys: list[ApiKey] | None, events: list[str]) -> None:
        self.keys = keys
        self.events = events

    def wait(self) -> list[ApiKey] | None:
        self.events.append("first page")
        return self.keys


async def test_the_handed_over_page_shows_then_the_client_loads_the_rest(
    settings: Settings,
) -> None:
    events: list[str] = []
    keys = sample_keys()

    def open_client() -> FakeClient:
        events.append("client opened")
        return FakeClient(keys)

    handed = HandedOver(keys[:2], events)
    app = make_app(settings, client_factory=open_client, first_page=handed)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert [k.id for k in table(app).all_keys] == [k.id for k in keys]
        # The child may be creating the local account: the app's client opens only after it.
        assert events == ["first page", "client opened"]


async def test_a_failed_child_leaves_the_loading_to_the_client(settings: Settings) -> None:
    events: list[str] = []
    keys = sample_keys()
    app = make_app(
        settings,
        client_factory=lambda: FakeClient(keys),
        first_page=HandedOver(None, events),  # type: ignore[arg-type]
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: table(app).total == len(keys))
        assert events == ["first page"]
