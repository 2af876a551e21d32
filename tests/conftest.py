"""Fixtures for every test: a private data folder and an empty config, so a developer's real keys never leak in."""

from __future__ import annotations

import contextlib
import errno
import gc
import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_ENV_VARS = ("TICOS_BASE_URL", "TICOS_TOKEN", "TICOS_HOME", "TICOS_CONFIG_DIR")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", default=False, help="run the long fuzz/load/crash tests"
    )


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core, not one.

    A TUI test spends about a third of its time waiting for the app's next event (in a serial
    run of tests/tui/api_keys/test_flows.py: 10.6 s of 31 s in epoll); a second worker per core
    fills that time. Measured on 2 cores, the whole suite: 213 s with 2 workers, 148 s with 4.
    """
    return 2 * (os.cpu_count() or 1)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The collector's pace for a test process: every module is imported now (frozen: never
    scanned again), and collections come after 50,000 new objects, not 700.

    A Textual app makes and drops objects by the hundred thousand; at Python's default pace the
    collector took 6.2 s of a 38 s serial run of test_flows.py + test_faults.py (5,150 runs),
    at this pace 1.4 s (38 runs). The app's own process is launch.py's to tune, not this.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the long runs out (deselected, not skipped) unless `--slow` asks for them."""
    if config.getoption("--slow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every test gets its own data folder, config folder and XDG dirs; no TICOS_* from the developer."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    config = tmp_path / "config"
    monkeypatch.setenv("TICOS_HOME", str(data))
    monkeypatch.setenv("TICOS_CONFIG_DIR", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # No OS keyring in tests: credentials go to the 0600 file fallback.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {"data": data, "config": config}


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Logging as it was before the test: a command run in-process (`serve`) sets up the process's
    logging, a handler on the root logger writing to this test's captured stderr; left there, the
    next test's log records would go to that closed stream ("Logging error: I/O operation on
    closed file")."""
    loggers = [logging.getLogger(), logging.getLogger("ticos_tui")]
    saved = [(logger, list(logger.handlers), logger.level) for logger in loggers]
    yield
    for logger, handlers, level in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Arm `full_disk(room=N)`: os.write then behaves as on a disk with N bytes free."""

    def arm(room: int) -> None:
        real_write = os.write
        left = [room]

        def write(fd: int, data: bytes) -> int:
            if b"TICOS_API_KEY" not in bytes(data) and left[0] == room:
                return real_write(fd, data)
            if left[0] == 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written = real_write(fd, bytes(data)[: left[0]])
            left[0] -= written
            return written

        monkeypatch.setattr(os, "write", write)

    return arm


# -- PostgreSQL: a real server, started by the tests themselves ------------------------------


def _postgres_bin(name: str) -> str:
    """A PostgreSQL server binary, or a failure (never a skip: CI must run these tests)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        where = "in CI" if os.environ.get("CI") else "here"
        pytest.fail(
            f"PostgreSQL's `{name}` is not installed {where}: the PostgreSQL store's tests need "
            "a PostgreSQL 15+ server (Debian: apt-get install postgresql)",
            pytrace=False,
        )
    return found


class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with its socket and data in a temp folder.

    The server refuses to run as root, so as root it runs as the `postgres` user (`runuser`), in
    a folder that user owns. Trust authentication, fsync off: it is thrown away afterwards.
    """

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="ticos-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        self.started = False
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run(_postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        proc = subprocess.run(
            [*self.as_user, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {proc.stdout}{proc.stderr}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args)

    def start(self) -> None:
        """Start on `port`; if another process (another xdist worker) took it meanwhile, start
        on a new free port (only before the first start: a restart keeps its port)."""
        for attempt in range(3):
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            )
            try:
                self._pg_ctl("-l", str(self.base / "server.log"), "-o", options, "start")
                self.started = True
                return
            except RuntimeError:
                if self.started or attempt == 2:
                    raise
                self.port = _free_port()

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    @contextlib.contextmanager
    def scratch_url(self) -> Iterator[str]:
        """A URL whose tables live in a new, empty schema (dropped afterwards)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")  # type: ignore[arg-type]
        try:
            yield f"{self.url}?options=-csearch_path%3D{name}"
        finally:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {name} CASCADE")  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the session; tests get a schema each (`scratch_url`).

    Under pytest-xdist (`-n auto`) each worker is a session of its own: its own server, folder
    and port, so workers share nothing."""
    cluster = PostgresCluster()
    yield cluster
    cluster.remove()


@pytest.fixture
def postgres_url(postgres: PostgresCluster) -> Iterator[str]:
    with postgres.scratch_url() as url:
        yield url


@pytest.fixture
def postgres_factory() -> Iterator[Callable[[], PostgresCluster]]:
    """Clusters of a test's own (to stop and start), removed afterwards."""
    clusters: list[PostgresCluster] = []

    def start() -> PostgresCluster:
        clusters.append(PostgresCluster())
        return clusters[-1]

    yield start
    for cluster in clusters:
        cluster.remove()
