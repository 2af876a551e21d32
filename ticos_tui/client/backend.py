"""KeysBackend: what the TUI asks of a Ticos service; `TicosClient` is the real one.

A Protocol, so the UI never imports httpx (it loads off the UI thread) and a test's
in-memory backend is checked by mypy against the same contract as the real client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Protocol

from ticos_tui.core.models import (
    KEEP_LIFETIME,
    Account,
    ApiKey,
    AuditEvent,
    CreatedKey,
    KeepLifetime,
    UsageDay,
)


class KeysBackend(Protocol):
    """One account's API keys. Every method raises a `ticos_tui.core.errors.TicosError` on failure."""

    async def aclose(self) -> None: ...

    async def account(self) -> Account: ...

    def iter_key_pages(
        self, *, status: str = "all", page_size: int = 1000, first_page_size: int | None = None
    ) -> AsyncIterator[list[ApiKey]]:
        """Every key, one list per page, newest first; the first page holds `first_page_size`."""
        ...

    async def get_key(self, key_id: str) -> ApiKey: ...

    async def create_key(
        self,
        name: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedKey: ...

    async def rename_key(self, key_id: str, name: str) -> ApiKey: ...

    async def revoke_key(self, key_id: str) -> ApiKey: ...

    async def delete_key(self, key_id: str) -> None: ...

    async def roll_key(
        self,
        key_id: str,
        *,
        grace_seconds: int = 0,
        expires_at: datetime | KeepLifetime | None = KEEP_LIFETIME,
    ) -> CreatedKey: ...

    async def usage(self, key_id: str, *, days: int = 30) -> list[UsageDay]: ...

    async def audit_events_page(
        self,
        *,
        key_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventsPage:
        """A page of the audit log, newest first, and the cursor of the next (None: the last)."""
        ...


class EventsPage(Protocol):
    """A page of audit events (`client.EventPage`)."""

    @property
    def events(self) -> list[AuditEvent]: ...

    @property
    def next_cursor(self) -> str | None: ...


GetBackend = Callable[[], Awaitable[KeysBackend]]
"""How a screen or pane reaches the backend: the app opens it on first use and hands this down."""
