"""The hot path's shortcuts keep the contract: two served instances over one store, both stores.

SQLite keys are read on the event loop's thread and PostgreSQL connections that answered lately
are handed out unchecked (issue 24); neither may cache a key. Every revoke made on one instance
is refused by the other from its very next request, also right after that instance verified the
key (when a cache would hold it), and the uses both instances counted add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.served import Served, start_service

pytestmark = pytest.mark.timeout(240)

ROUNDS = 5


@pytest.fixture
def two_instances(data_dir: Path, database_url: str | None, token: str) -> Iterator[list[Served]]:
    """Two `serve` processes over the test's store (SQLite: the same data folder's file)."""
    options = [] if database_url is None else ["--database-url", database_url]
    served = [start_service(data_dir, options=options)]
    try:
        served.append(start_service(data_dir, options=options))
        yield served
    finally:
        for instance in served:
            instance.stop()


def _client(served: Served, credential: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    return httpx.AsyncClient(base_url=served.base_url, headers=headers, timeout=30)


async def test_revoked_on_one_instance_fails_on_the_other_from_the_next_request(
    two_instances: list[Served], token: str
) -> None:
    a, b = two_instances
    async with _client(a, token) as on_a, _client(b, token) as on_b, _client(b) as verify_b:
        for round_ in range(ROUNDS):
            created = (await on_a.post("/v1/api-keys", json={"name": f"k{round_}"})).json()
            # Created on A: valid on B at once; asked twice, so a cache would now hold it.
            for _ in range(2):
                answer = await verify_b.post("/v1/api-keys/verify", json={"key": created["key"]})
                assert answer.json()["valid"] is True, answer.text
            async with _client(b, created["key"]) as key_on_b:
                assert (await key_on_b.get("/v1/api-keys")).status_code == 200
                revoke = on_a if round_ % 2 == 0 else on_b  # revoked on either instance
                assert (
                    await revoke.post(f"/v1/api-keys/{created['id']}/revoke")
                ).status_code == 200
                # The very next request on B with it: refused, by verify and by auth.
                answer = await verify_b.post("/v1/api-keys/verify", json={"key": created["key"]})
                assert answer.json() == {"valid": False, "reason": "revoked"}
                refused = await key_on_b.get("/v1/api-keys")
                assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


async def test_uses_counted_on_both_instances_add_up_exactly(
    two_instances: list[Served], token: str
) -> None:
    a, b = two_instances
    async with _client(a, token) as on_a, _client(a) as verify_a, _client(b) as verify_b:
        created = (await on_a.post("/v1/api-keys", json={"name": "counted"})).json()
        for _ in range(7):
            assert (
                await verify_a.post("/v1/api-keys/verify", json={"key": created["key"]})
            ).json()["valid"]
        for _ in range(5):
            assert (
                await verify_b.post("/v1/api-keys/verify", json={"key": created["key"]})
            ).json()["valid"]
        await on_a.post(f"/v1/api-keys/{created['id']}/revoke")
        # Refused verifies are not uses.
        for client in (verify_a, verify_b):
            await client.post("/v1/api-keys/verify", json={"key": created["key"]})
        assert b.stop() == 0  # a graceful stop writes B's counted uses
        usage = (await on_a.get(f"/v1/api-keys/{created['id']}/usage", params={"days": 1})).json()
    # A's own uses are still in its memory: the answer adds them to what B wrote.
    assert sum(day["requests"] for day in usage["days"]) == 12
