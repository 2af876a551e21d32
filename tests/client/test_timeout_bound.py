"""`--timeout` bounds the whole wait for an answer, retries and their back-off included."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ticos_tui.client.http import TicosClient
from ticos_tui.core.errors import RequestTimedOut


async def test_retries_of_slow_failures_stop_at_the_timeout() -> None:
    attempts = 0

    async def slow_500(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.3)  # each answer comes within the timeout, and is a failure
        return httpx.Response(500, json={"detail": "try again"})

    client = TicosClient(
        "http://ticos.test/v1",
        "tok",
        transport=httpx.MockTransport(slow_500),
        timeout=0.5,
        retries=5,
    )
    async with client:
        with pytest.raises(RequestTimedOut) as caught:
            await client.account()
    assert "did not answer within 0.5 s" in str(caught.value)
    assert attempts < 6  # the retries were cut short, not all run
