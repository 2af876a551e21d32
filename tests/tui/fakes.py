"""The one fake backend (in memory, fixed ids and times) and a counting wrapper; mypy checks both against KeysBackend."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ticos_tui.client.backend import KeysBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import (
    KEEP_LIFETIME,
    Account,
    ApiKey,
    AuditEvent,
    CreatedKey,
    KeepLifetime,
    UsageDay,
)

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class EventPage:
    """A page of audit events (the client's own class would load httpx into the TUI's tests)."""

    events: list[AuditEvent]
    next_cursor: str | None


FIXED_KEY = "tk_" + "A" * 32 + "0ZZZZZ"  # a stand-in: snapshots must not depend on a random secret


def sample_keys(count: int = 5) -> list[ApiKey]:
    """Deterministic keys, newest first, in every status."""
    names = [
        "Nightly Batch Script",
        "[bold]Markup[/] name",
        "CI deploy 🚀",
        "Staging web",
        "Old laptop",
    ]
    keys = []
    for i in range(count):
        created = NOW - timedelta(days=i * 3 + 1, hours=i)
        status = "active"
        revoked = None
        expires = None
        if i % 5 == 3:
            status, revoked = "revoked", created + timedelta(days=1)
        if i % 5 == 4:
            status, expires = "expired", created + timedelta(days=2)
        keys.append(
            ApiKey(
                id=f"key_{i:04d}",
                name=names[i % len(names)] + ("" if i < len(names) else f" {i}"),
                snippet=f"tk_{chr(65 + i % 26)}bc{i % 10}…wX{i % 10}Z",
                status=status,
                scopes=("*",) if i % 2 == 0 else ("api_keys:read", "usage:read"),
                created_at=created,
                last_used_at=None if i % 3 == 0 else NOW - timedelta(hours=5 * i + 2),
                expires_at=expires,
                revoked_at=revoked,
            )
        )
    return keys


class FakeClient:
    """A `KeysBackend` in memory: what the TUI asks of the service, with no service behind it."""

    def __init__(
        self, keys: list[ApiKey] | None = None, *, fail_load: TicosError | None = None
    ) -> None:
        self.keys = list(keys or [])
        self.fail_load = fail_load
        self.hang_load = False
        # Pages after the first `pages_before_hold` wait for `hold` to be set: "during the load".
        self.hold: asyncio.Event | None = None
        self.pages_before_hold = 0
        self._next = 1000
        self.events: list[AuditEvent] = []  # newest first, as the service lists them

    def _event(self, action: str, key: ApiKey, **detail: object) -> None:
        self.events.insert(
            0,
            AuditEvent(f"evt_{len(self.events):04d}", NOW, action, key.id, key.name,
                       "session", "ses_fake", "Ada Lovelace", "127.0.0.1", dict(detail)),
        )  # fmt: skip

    async def aclose(self) -> None:
        return None

    async def account(self) -> Account:
        return Account("acc_fixed", "Ada Lovelace", "ada@example.com", NOW - timedelta(days=400))

    async def iter_key_pages(
        self, *, status: str = "all", page_size: int = 1000, first_page_size: int | None = None
    ) -> AsyncIterator[list[ApiKey]]:
        if self.hang_load:
            await asyncio.Event().wait()
        if self.fail_load is not None:
            raise self.fail_load
        snapshot = list(self.keys)  # what the server lists when asked, as a real one would
        start, size, sent = 0, first_page_size or page_size, 0
        while True:
            if self.hold is not None and sent == self.pages_before_hold:
                await self.hold.wait()
            yield snapshot[start : start + size]
            start, sent = start + size, sent + 1
            size = page_size
            if start >= len(snapshot):
                return

    async def get_key(self, key_id: str) -> ApiKey:
        return self.keys[self._find(key_id)]

    async def create_key(
        self,
        name: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedKey:
        self._next += 1
        key = ApiKey(
            id=f"key_{self._next}",
            name=name,
            snippet=f"{FIXED_KEY[:7]}…{FIXED_KEY[-4:]}",
            status="active",
            scopes=tuple(scopes or ("*",)),
            created_at=NOW,
            expires_at=expires_at,
        )
        self.keys.insert(0, key)
        self._event("key.created", key, scopes=list(key.scopes), expires_at=None)
        return CreatedKey(key, FIXED_KEY)

    def _find(self, key_id: str) -> int:
        return next(i for i, k in enumerate(self.keys) if k.id == key_id)

    async def rename_key(self, key_id: str, name: str) -> ApiKey:
        i = self._find(key_id)
        old_name = self.keys[i].name
        self.keys[i] = replace(self.keys[i], name=name)
        self._event("key.renamed", self.keys[i], old_name=old_name, new_name=name)
        return self.keys[i]

    async def revoke_key(self, key_id: str) -> ApiKey:
        i = self._find(key_id)
        if self.keys[i].revoked_at is None:
            self.keys[i] = replace(self.keys[i], status="revoked", revoked_at=NOW)
            self._event("key.revoked", self.keys[i])
        return self.keys[i]

    async def delete_key(self, key_id: str) -> None:
        self._event("key.deleted", self.keys[self._find(key_id)])
        del self.keys[self._find(key_id)]

    async def roll_key(
        self,
        key_id: str,
        *,
        grace_seconds: int = 0,
        expires_at: datetime | KeepLifetime | None = KEEP_LIFETIME,
    ) -> CreatedKey:
        old = self.keys[self._find(key_id)]
        if expires_at is KEEP_LIFETIME:
            lifetime = None if old.expires_at is None else old.expires_at - old.created_at
            new_expiry = None if lifetime is None else NOW + lifetime
        else:
            new_expiry = expires_at
        created = await self.create_key(old.name, scopes=old.scopes, expires_at=new_expiry)
        del self.events[0]  # a roll is one event, `key.rolled`, as the service writes it
        new = replace(created.api_key, replaces=key_id)
        self.keys[self._find(new.id)] = new
        self.keys[self._find(key_id)] = replace(
            old, expires_at=NOW + timedelta(seconds=grace_seconds), replaced_by=new.id
        )
        self._event("key.rolled", old, new_key_id=new.id, grace_seconds=grace_seconds)
        return CreatedKey(new, created.key)

    async def usage(self, key_id: str, *, days: int = 30) -> list[UsageDay]:
        start = NOW.date() - timedelta(days=days - 1)
        return [
            UsageDay(start + timedelta(days=d), (d * 7) % 13 if d > days // 3 else 0)
            for d in range(days)
        ]

    async def audit_events_page(
        self,
        *,
        key_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventPage:
        chosen = [
            e
            for e in self.events
            if (key_id is None or e.key_id == key_id)
            and (action is None or e.action == action)
            and (since is None or e.at >= since)
        ]
        start = int(cursor or 0)
        more = start + limit < len(chosen)
        return EventPage(chosen[start : start + limit], str(start + limit) if more else None)


class CountingBackend:
    """Wraps a backend and counts what is asked of it: `calls[method]`, and `pages` loaded."""

    def __init__(self, inner: KeysBackend) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.pages = 0

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def account(self) -> Account:
        self.calls["account"] += 1
        return await self.inner.account()

    async def iter_key_pages(
        self, *, status: str = "all", page_size: int = 1000, first_page_size: int | None = None
    ) -> AsyncIterator[list[ApiKey]]:
        self.calls["iter_key_pages"] += 1
        pages = self.inner.iter_key_pages(
            status=status, page_size=page_size, first_page_size=first_page_size
        )
        async for page in pages:
            self.pages += 1
            yield page

    async def get_key(self, key_id: str) -> ApiKey:
        self.calls["get_key"] += 1
        return await self.inner.get_key(key_id)

    async def create_key(
        self,
        name: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedKey:
        self.calls["create_key"] += 1
        return await self.inner.create_key(name, scopes=scopes, expires_at=expires_at)

    async def rename_key(self, key_id: str, name: str) -> ApiKey:
        self.calls["rename_key"] += 1
        return await self.inner.rename_key(key_id, name)

    async def revoke_key(self, key_id: str) -> ApiKey:
        self.calls["revoke_key"] += 1
        return await self.inner.revoke_key(key_id)

    async def delete_key(self, key_id: str) -> None:
        self.calls["delete_key"] += 1
        await self.inner.delete_key(key_id)

    async def roll_key(
        self,
        key_id: str,
        *,
        grace_seconds: int = 0,
        expires_at: datetime | KeepLifetime | None = KEEP_LIFETIME,
    ) -> CreatedKey:
        self.calls["roll_key"] += 1
        return await self.inner.roll_key(key_id, grace_seconds=grace_seconds, expires_at=expires_at)

    async def usage(self, key_id: str, *, days: int = 30) -> list[UsageDay]:
        self.calls["usage"] += 1
        return await self.inner.usage(key_id, days=days)

    async def audit_events_page(
        self,
        *,
        key_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventPage:
        self.calls["audit_events_page"] += 1
        page = await self.inner.audit_events_page(
            key_id=key_id, action=action, since=since, limit=limit, cursor=cursor
        )
        return EventPage(page.events, page.next_cursor)


def _backends_conform(real: TicosClient, fake: FakeClient, counting: CountingBackend) -> None:
    """Never called: mypy checks here that the real client and both fakes are KeysBackends."""
    _: tuple[KeysBackend, ...] = (real, fake, counting)
