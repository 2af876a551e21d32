"""The selected key's details show its own last events (issue 22, item 5)."""

from __future__ import annotations

from datetime import datetime

from tests.tui.fakes import NOW, EventPage, FakeClient, sample_keys
from tests.tui.helpers import burst, loaded, rendered, table, wait_until
from ticos_tui.core.audit_words import recent_text
from ticos_tui.core.errors import PermissionDenied
from ticos_tui.core.models import AuditEvent
from ticos_tui.tui.api_keys.details import KeyDetails
from ticos_tui.tui.api_keys.rename import RenameKeyDialog


def _event(action: str, at: datetime, actor: str = "ses_1") -> AuditEvent:
    return AuditEvent("evt_1", at, action, "key_1", "ci", "session", actor, "Ada", "127.0.0.1", {})


def test_recent_text_lists_the_newest_first_with_who_did_it() -> None:
    events = [_event("key.renamed", NOW), _event("key.created", NOW.replace(day=NOW.day - 1))]
    assert recent_text(events, NOW) == (
        "Recent: key.renamed just now by session ses_1 (Ada)  ·  "
        "key.created 1 day ago by session ses_1 (Ada)"
    )
    assert recent_text([], NOW) == "Recent: no events recorded"


async def test_a_rename_shows_in_the_selected_keys_recent_events(fake_app) -> None:
    client = FakeClient(sample_keys(3))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        await wait_until(
            pilot, lambda: "no events recorded" in rendered(app.screen, "#events-text")
        )
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameKeyDialog))
        await pilot.press(*"deploy-bot", "enter")
        await wait_until(pilot, lambda: table(app).selected_key.name == "deploy-bot")
        await wait_until(
            pilot,
            lambda: (
                "key.renamed just now by session ses_fake (Ada Lovelace)"
                in rendered(app.screen, "#events-text")
            ),
        )
        # Another key has its own events (none): moving to it does not carry these over.
        await pilot.press("down")
        await wait_until(
            pilot, lambda: "no events recorded" in rendered(app.screen, "#events-text")
        )


class NoAuditScope(FakeClient):
    async def audit_events_page(self, **_: object) -> EventPage:
        raise PermissionDenied("This key lacks the audit:read scope.", status=403)


async def test_events_that_cannot_be_read_say_why_and_the_usage_still_shows(fake_app) -> None:
    app = fake_app(NoAuditScope(sample_keys(2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: "requests" in rendered(app.screen, "#usage-text"))
        await wait_until(
            pilot,
            lambda: (
                "Recent events unavailable: This key lacks the audit:read scope."
                in rendered(app.screen, "#events-text")
            ),
        )


async def test_scrolling_fetches_the_key_the_cursor_rests_on_not_each_key_passed(
    fake_app,
) -> None:
    from tests.tui.fakes import CountingBackend

    backend = CountingBackend(FakeClient(sample_keys(12)))
    app = fake_app(backend)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        first = table(app).selected_key
        await wait_until(pilot, lambda: first.id in rendered(app.screen, "#details-text"))
        await wait_until(pilot, lambda: backend.calls["usage"] == 1)  # the first key, at once
        # One burst, as a held arrow key sends it: queued at once, so the test does not depend
        # on how fast this machine is between presses (pilot.press lets time pass between them).
        burst(app, *["down"] * 10)
        await wait_until(pilot, lambda: table(app).cursor_row == 10)
        last = table(app).selected_key
        assert last.id != first.id
        await wait_until(
            pilot, lambda: "requests in the last 30 days" in rendered(app.screen, "#usage-text")
        )
        await wait_until(pilot, lambda: last.id in rendered(app.screen, "#details-text"))
        # The first key passed (after a pause: at once) and the one the cursor rests on: 3
        # calls with the first key's. A machine that stalls a quarter second mid-burst may add
        # one; fetching every key passed would be 11.
        assert backend.calls["usage"] <= 4, backend.calls
        assert backend.calls["audit_events_page"] <= 4, backend.calls


class HeldUsage(FakeClient):
    """The first usage request waits until the test lets it answer."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        import asyncio

        self.gate = asyncio.Event()
        self.asked: list[str] = []

    async def usage(self, key_id: str, *, days: int = 30):  # type: ignore[no-untyped-def]
        self.asked.append(key_id)
        if len(self.asked) == 1:
            await self.gate.wait()
        return await super().usage(key_id, days=days)


async def test_back_on_a_key_whose_fetch_was_cut_short_its_usage_still_comes(fake_app) -> None:
    """Away from a key while its usage is on the way, and back at once: that fetch was cancelled
    by the move, so the key is asked again (it was thought still "on the way" and never came)."""
    client = HeldUsage(sample_keys(3))
    app = fake_app(client)
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot)
        first = table(app).selected_key
        await wait_until(pilot, lambda: client.asked == [first.id])  # on the way, held
        # Two highlights handled in one step, as a burst's can be: away to the next key, back.
        details = app.screen.query_one(KeyDetails)
        details.show_key(table(app).all_keys[1])
        details.show_key(first)
        client.gate.set()
        await wait_until(
            pilot, lambda: "requests in the last 30 days" in rendered(app.screen, "#usage-text")
        )
        assert first.id in rendered(app.screen, "#details-text")
