"""A short run of the load benchmark: 50 clients, no 5xx, no lost writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loadgen import run_load


async def test_short_load_run_has_no_errors_and_loses_nothing(data_dir: Path) -> None:
    result = await run_load(data_dir, clients=50, seconds=3.0)
    assert result.served > 500
    assert result.server_errors == 0
    assert result.created and not result.lost
    assert result.timings["verify"].statuses.keys() == {200}


@pytest.mark.slow
async def test_long_load_run(data_dir: Path) -> None:
    result = await run_load(data_dir, clients=50, seconds=30.0)
    assert result.server_errors == 0 and not result.lost


async def test_short_load_on_two_instances_over_postgresql_loses_nothing(
    data_dir: Path, postgres_url: str
) -> None:
    """The hot path's shortcuts (no check round trip for a connection that answered lately)
    under the same load over two instances sharing one database: no 5xx, no lost write."""
    from ticos_tui.service.store.factory import open_store

    store = open_store(data_dir, postgres_url)
    try:
        account = await store.create_account("Load", "load@example.com")
        token = await store.issue_session_token(account)
    finally:
        await store.close()
    result = await run_load(
        data_dir,
        clients=50,
        seconds=3.0,
        options=["--database-url", postgres_url],
        token=token,
        instances=2,
    )
    assert result.served > 300
    assert result.server_errors == 0
    assert result.created and not result.lost
    assert result.timings["verify"].statuses.keys() == {200}
