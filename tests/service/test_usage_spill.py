"""No key use is dropped at shutdown: uses the store cannot take then are kept in a private spill
file in the data folder and written at the next start, on both stores."""

from __future__ import annotations

import json
import logging
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import PostgresCluster
from ticos_tui.service import create_app
from ticos_tui.service.bootstrap import create_account
from ticos_tui.service.store.usage import UsageBuffer

from .test_locked_store import write_lock_held

pytestmark = pytest.mark.timeout(180)


def _client(app, credential: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"Authorization": f"Bearer {credential}"},
        timeout=60,
    )


@contextmanager
def store_down(data_dir: Path, cluster: PostgresCluster | None) -> Iterator[None]:
    """SQLite: another process holds the write lock; PostgreSQL: the server is stopped."""
    if cluster is None:
        with write_lock_held(data_dir):
            yield
        return
    cluster.stop()
    try:
        yield
    finally:
        cluster.start()


def _spilled(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("unwritten-uses*"))


async def test_uses_the_store_cannot_take_at_shutdown_are_written_at_the_next_start(
    backend: str,
    data_dir: Path,
    postgres_factory: Callable[[], PostgresCluster],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An ASGI-served app earlier in the session may have given ticos_tui a handler of its own.
    monkeypatch.setattr(logging.getLogger("ticos_tui"), "propagate", True)
    cluster = postgres_factory() if backend == "postgres" else None
    url = cluster.url if cluster is not None else None
    token = create_account(data_dir, "Ann", "ann@example.com", database_url=url)[1]
    first = create_app(data_dir, database_url=url, store_timeout=1)
    async with _client(first, token) as owner:
        created = (await owner.post("/v1/api-keys", json={"name": "busy"})).json()
    async with _client(first, created["key"]) as user:
        for _ in range(40):
            assert (await user.get("/v1/account")).status_code == 200
    with store_down(data_dir, cluster):
        await first.state.store.close()  # what the lifespan does at SIGTERM
        [spill] = _spilled(data_dir)
        assert stat.S_IMODE(spill.stat().st_mode) == 0o600
        assert created["key"] not in spill.read_text() and created["id"] in spill.read_text()
    assert "40 key uses" in caplog.text and str(spill) in caplog.text

    async def requests_seen() -> int:
        app = create_app(data_dir, database_url=url)
        try:
            async with _client(app, token) as owner:
                usage = await owner.get(f"/v1/api-keys/{created['id']}/usage?days=1")
                got = await owner.get(f"/v1/api-keys/{created['id']}")
            assert got.status_code == 200, got.text
            assert got.json()["last_used_at"] is not None
            return int(usage.json()["days"][0]["requests"])
        finally:
            await app.state.store.close()

    assert await requests_seen() == 40  # replayed at the start ...
    assert _spilled(data_dir) == []  # ... written, and the spill file gone
    assert await requests_seen() == 40  # counted once, not again at the next start


def test_two_stores_on_one_folder_replay_a_spill_file_once(tmp_path: Path) -> None:
    """The TUI and a CLI run may open the same data folder at once: one of them takes the file."""
    folder = tmp_path / "data"
    first = UsageBuffer(1.0, spill_dir=folder)
    first.record("key_a", "2026-12-04T10:00:00Z")
    first.record("key_a", "2026-12-04T10:00:01Z")
    assert first.spill()
    taker, other = UsageBuffer(1.0, spill_dir=folder), UsageBuffer(1.0, spill_dir=folder)
    assert taker.take() == ({"key_a": "2026-12-04T10:00:01Z"}, {("key_a", "2026-12-04"): 2})
    assert other.take() is None
    [claimed] = _spilled(folder)
    assert ".replaying-" in claimed.name
    taker.landed()  # written: the claim goes
    assert _spilled(folder) == []


def test_a_claim_whose_process_ended_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    ended = subprocess.Popen(["true"])
    ended.wait()  # its pid no longer runs
    stale = folder / f"unwritten-uses-abc.json.replaying-{ended.pid}-0123abcd"
    rows = {"last_used": {"key_b": "2026-12-04T10:00:00Z"}, "usage": [["key_b", "2026-12-04", 3]]}
    stale.write_text(json.dumps(rows))
    stale.chmod(0o600)
    assert UsageBuffer(1.0, spill_dir=folder).take() == (
        {"key_b": "2026-12-04T10:00:00Z"},
        {("key_b", "2026-12-04"): 3},
    )
