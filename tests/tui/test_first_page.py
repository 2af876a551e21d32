"""The keys fetched ahead by a child process, page by page, and how the app takes them over."""

from __future__ import annotations

from tests.tui.fakes import FakeClient, sample_keys
from tests.tui.helpers import loaded, seed, table
from ticos_tui.core.models import ApiKey
from ticos_tui.settings.config import Settings, resolve_settings
from ticos_tui.tui.app import make_app
from ticos_tui.tui.startup import prefetch
from ticos_tui.wiring import open_client


def _all_pages(ahead: prefetch.KeysAhead) -> list[list[ApiKey]]:
    pages = []
    while (page := ahead.next_page()) is not None:
        pages.append(page)
    return pages


async def test_the_child_pages_through_the_keys_as_the_client_would(settings: Settings) -> None:
    await seed(settings, *[f"key {i}" for i in range(prefetch.FIRST_PAGE_SIZE + 5)])
    ahead = prefetch.start(settings)
    assert ahead is not None
    pages = _all_pages(ahead)
    client = open_client(settings)
    try:
        expected = [
            page
            async for page in client.iter_key_pages(
                page_size=prefetch.PAGE_SIZE, first_page_size=prefetch.FIRST_PAGE_SIZE
            )
        ]
    finally:
        await client.aclose()
    assert pages == expected and [len(p) for p in pages] == [prefetch.FIRST_PAGE_SIZE, 5]
    assert ahead.next_page() is None  # asked again after the end: still the end


async def test_a_fresh_data_folder_gets_one_account_and_a_working_token(
    settings: Settings,
) -> None:
    """The child creates the local account; the app's own client, opened after it, uses it."""
    ahead = prefetch.start(settings)
    assert ahead is not None
    app = make_app(settings, keys_ahead=ahead)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert table(app).total == 0
        client = await app.get_client()
        assert (await client.account()).email.endswith("@localhost")


def test_no_child_for_a_remote_server(isolated_env: object) -> None:
    remote = resolve_settings(base_url="https://ticos.example", token="t" * 40)
    assert prefetch.start(remote) is None


class HandedOver:
    """Stands in for the child: hands over `pages`, then ends (or fails), recording each ask."""

    def __init__(self, pages: list[list[ApiKey]], events: list[str], *, fail: bool = False):
        self.pages = list(pages)
        self.events = events
        self.fail = fail

    def next_page(self) -> list[ApiKey] | None:
        self.events.append("page")
        if self.pages:
            return self.pages.pop(0)
        if self.fail:
            raise prefetch.ChildFailed("the child ended before its last page")
        return None


async def test_the_childs_pages_are_the_list_and_the_client_opens_after_the_first(
    settings: Settings,
) -> None:
    events: list[str] = []
    keys = sample_keys()

    def open_backend() -> FakeClient:
        events.append("client opened")
        return FakeClient([])  # not asked for the list: the child's pages are it

    handed = HandedOver([keys[:2], keys[2:]], events)
    app = make_app(settings, client_factory=open_backend, keys_ahead=handed)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert [k.id for k in table(app).all_keys] == [k.id for k in keys]
        await app.get_client()
        # The child may be creating the local account: the app's client opens after its first page.
        assert events.index("page") < events.index("client opened")


async def test_a_child_failing_midway_leaves_the_list_to_the_client(settings: Settings) -> None:
    keys = sample_keys()
    stale = sample_keys(2)[:1]
    handed = HandedOver([stale], [], fail=True)
    app = make_app(
        settings,
        client_factory=lambda: FakeClient(keys),
        keys_ahead=handed,  # type: ignore[arg-type]
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        assert [k.id for k in table(app).all_keys] == [k.id for k in keys]
