"""`ticos_tui.service.run.asgi:app`: the service under any ASGI server, configured by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.served import HOST, ROOT, _wait_ready, free_port
from ticos_tui.service.run.asgi import ConfigurationError, LazyApp, build
from ticos_tui.service.run.observe import ACCESS_LOGGER


def _env(data_dir: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICOS_")}
    return {**env, "TICOS_HOME": str(data_dir), "PYTHONPATH": str(ROOT), **more}


def _uvicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "uvicorn", "ticos_tui.service.run.asgi:app", "--no-access-log"]
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [*argv, "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


@pytest.fixture
def uvicorn_served(data_dir: Path, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """(base URL, session token of an account made by `accounts create`, stderr log)."""
    env = _env(data_dir)
    made = subprocess.run(
        [sys.executable, "-m", "ticos_tui", "accounts", "create", "Ann", "ann@example.com"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    token = made.stdout.strip()
    port, log = free_port(), tmp_path / "uvicorn.log"
    proc = _uvicorn(env, port, log)
    try:
        _wait_ready(port, proc, timeout=60)
        yield f"http://{HOST}:{port}", token, log
    finally:
        proc.terminate()
        proc.wait(30)


def test_uvicorn_serves_the_entry_point_from_ticos_home(
    uvicorn_served: tuple[str, str, Path],
) -> None:
    base_url, token, log = uvicorn_served
    owner = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        assert http.get("/v1/healthz").json() == {"status": "ok"}
        assert http.get("/v1/readyz").status_code == 200
        assert http.get("/v1/account", headers=owner).json()["name"] == "Ann"
        created = http.post("/v1/api-keys", json={"name": "ci"}, headers=owner)
        assert created.status_code == 201
        key = created.json()["key"]
        assert http.post("/v1/api-keys/verify", json={"key": key}).json()["valid"] is True
    # The access line is written after the answer is sent: wait for the last request's line.
    deadline = time.monotonic() + 30
    while "/v1/api-keys/verify" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    text = log.read_text()
    assert key not in text and token not in text
    access = [line for line in text.splitlines() if f" {ACCESS_LOGGER} " in line]
    # The entry point's own access line, once per request (uvicorn's is off).
    assert "uvicorn.access" not in text and '"GET /v1/account' not in text
    routes = [line.split(f" {ACCESS_LOGGER} ")[1].split(" ")[:3] for line in access]
    assert routes[-4:] == [
        ["GET", "/v1/readyz", "200"],
        ["GET", "/v1/account", "200"],
        ["POST", "/v1/api-keys", "201"],
        ["POST", "/v1/api-keys/verify", "200"],
    ]


def test_a_bad_setting_fails_the_startup_with_its_reason(data_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    proc = _uvicorn(_env(data_dir, TICOS_LOG_LEVEL="loud"), free_port(), log)
    try:
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert code != 0
    assert "TICOS_LOG_LEVEL='loud': use one of debug, info, warning, error" in log.read_text()


def test_a_database_url_serves_postgresql(data_dir: Path, postgres_url: str) -> None:
    from starlette.testclient import TestClient

    env = {"TICOS_HOME": str(data_dir), "TICOS_DATABASE_URL": postgres_url}
    with TestClient(LazyApp(env)) as client:  # runs the lifespan: the pool is closed after
        assert client.get("/v1/readyz").status_code == 200
    assert not (data_dir / "ticos.db").exists()  # the URL is used, never the SQLite file


def test_a_database_url_of_another_kind_is_refused(data_dir: Path) -> None:
    env = {"TICOS_HOME": str(data_dir), "TICOS_DATABASE_URL": "mysql://db.example/ticos"}
    with pytest.raises(ConfigurationError, match="postgresql://"):
        build(env)
    assert not (data_dir / "ticos.db").exists()


@pytest.mark.parametrize(
    ("name", "value"), [("TICOS_LOG_FORMAT", "xml"), ("TICOS_METRICS", "maybe")]
)
def test_settings_are_checked(data_dir: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{name}='{value}'"):
        build({"TICOS_HOME": str(data_dir), name: value})


async def test_the_app_is_built_once_on_first_use(data_dir: Path) -> None:
    lazy = LazyApp({"TICOS_HOME": str(data_dir), "TICOS_METRICS": "1"})
    assert not data_dir.exists()  # nothing opened at construction (nor, so, at import)
    transport = httpx.ASGITransport(app=lazy)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/v1/healthz")).status_code == 200
        assert (data_dir / "ticos.db").exists()
        assert (await client.get("/v1/healthz")).status_code == 200
        scrape = (await client.get("/metrics")).text
    # Both requests counted in one registry: one app, not one per request.
    assert 'ticos_http_requests_total{method="GET",route="/v1/healthz",status="200"} 2.0' in scrape
