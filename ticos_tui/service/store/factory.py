"""Which store: SQLite in the data folder, or PostgreSQL when a database URL is given."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ticos_tui.service.store.constants import WRITE_TIMEOUT
from ticos_tui.service.store.protocol import Store


def open_store(
    data_dir: Path,
    database_url: str | None = None,
    *,
    clock: Callable[[], float] = time.time,
    write_timeout: float = WRITE_TIMEOUT,
) -> Store:
    """The store: PostgreSQL at `database_url` (migrated now), else SQLite in `data_dir`.

    Raises:
        RuntimeError: the database's schema is newer than this release, or the PostgreSQL
            driver is not installed.
        StoreUnavailable: PostgreSQL could not be reached to migrate.
    """
    if database_url:
        try:
            from ticos_tui.service.store.postgres import PgStore  # psycopg: only for a database URL
        except ImportError as err:
            raise RuntimeError(
                f"PostgreSQL support is not installed ({err}); "
                "install it with: pip install 'ticos-tui[postgres]'"
            ) from None

        return PgStore.open(
            database_url, clock=clock, write_timeout=write_timeout, spill_dir=data_dir
        )
    from ticos_tui.service.store import sqlite
    from ticos_tui.service.store.sqlite_async import SqliteStore

    return SqliteStore(
        partial(sqlite.Store, Path(data_dir), clock=clock, write_timeout=write_timeout)
    )
