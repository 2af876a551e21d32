"""The client's roll (expiry, 409) and end_session against the embedded service (contract v1.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ticos_tui.client.http import TicosClient
from ticos_tui.core import errors
from ticos_tui.core.models import KEEP_LIFETIME
from ticos_tui.settings.config import resolve_settings
from ticos_tui.wiring import open_client


@pytest.fixture
async def embedded(tmp_path: Path):  # type: ignore[no-untyped-def]
    client = open_client(resolve_settings(data_dir=tmp_path / "svc"))
    async with client:
        yield client


async def test_roll_passes_expires_at_or_keeps_the_lifetime(embedded: TicosClient) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    key = (await embedded.create_key("ci", expires_at=now + timedelta(days=30))).api_key
    kept = (await embedded.roll_key(key.id, grace_seconds=60)).api_key
    assert kept.expires_at is not None
    assert kept.expires_at - kept.created_at == key.expires_at - key.created_at  # type: ignore[operator]
    chosen = now + timedelta(days=3)
    rolled = (await embedded.roll_key(kept.id, expires_at=chosen)).api_key
    assert rolled.expires_at == chosen
    never = (await embedded.roll_key(rolled.id, expires_at=None)).api_key
    assert never.expires_at is None
    assert (await embedded.roll_key(never.id, expires_at=KEEP_LIFETIME)).api_key.expires_at is None


async def test_roll_conflict_is_a_clear_error(embedded: TicosClient) -> None:
    key = (await embedded.create_key("ci")).api_key
    await embedded.revoke_key(key.id)
    with pytest.raises(errors.Conflict) as caught:
        await embedded.roll_key(key.id)
    message = str(caught.value)
    assert caught.value.status == 409 and "revoked" in message and "create a new key" in message


async def test_end_session_ends_the_token(embedded: TicosClient) -> None:
    assert (await embedded.account()).email
    await embedded.end_session()
    with pytest.raises(errors.AuthenticationFailed):
        await embedded.account()
