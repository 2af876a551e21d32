"""First use of a store: the local account and its session-token file, and new accounts."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ticos_tui.core.keyformat import is_well_formed_token, secret_hash
from ticos_tui.service.store.factory import open_store
from ticos_tui.service.store.protocol import Store
from ticos_tui.settings.paths import ensure_private_dir, read_private_file, write_private_file

T = TypeVar("T")

TOKEN_FILE = "session-token"  # noqa: S105 - a file name, not a secret


def _local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:  # no login name (e.g. a container without a passwd entry)
        return "local"


def token_path(data_dir: Path) -> Path:
    return Path(data_dir) / TOKEN_FILE


async def ensure_local_token(store: Store, path: Path) -> str:
    """The local account's session token in the file `path`, creating account and token as needed.

    A file whose token the store knows is reused; otherwise a new token is issued (0600 file),
    and the local account's earlier tokens end.
    """
    account_id = await store.local_account()
    text = read_private_file(path)  # refused, with the fix, when others can read it
    if text is not None:
        token = text.strip()
        if is_well_formed_token(token):
            owner = await store.account_for_token_hash(secret_hash(token))
            if owner is not None and (account_id is None or owner == account_id):
                return token
    if account_id is None:
        user = _local_user()
        account_id = await store.create_account(user, f"{user}@localhost", local=True)
    # A lost or replaced file: its token must not keep working, so earlier ones end here.
    token = await store.issue_session_token(account_id, revoke_others=True)
    write_private_file(path, token + "\n")
    return token


async def add_account(store: Store, name: str, email: str) -> tuple[str, str]:
    """A new account and its first session token: (account id, token)."""
    account_id = await store.create_account(name, email)
    return account_id, await store.issue_session_token(account_id)


def local_session_token(data_dir: Path) -> str:
    """The embedded local account's session token, creating the database, account and file.

    The file `<data_dir>/session-token` (0600, folder 0700) holds the token; the database only
    its hash.
    """
    data_dir = ensure_private_dir(Path(data_dir))
    path = token_path(data_dir)
    return _with_store(data_dir, None, lambda store: ensure_local_token(store, path))


def create_account(
    data_dir: Path, name: str, email: str, *, database_url: str | None = None
) -> tuple[str, str]:
    """Add an account to the store (the data folder's SQLite, or `database_url`).

    Returns (account id, session token); the caller shows the token once, only its hash is kept.
    """
    folder = Path(data_dir) if database_url else ensure_private_dir(Path(data_dir))
    return _with_store(folder, database_url, lambda store: add_account(store, name, email))


def _with_store(
    data_dir: Path, database_url: str | None, work: Callable[[Store], Awaitable[T]]
) -> T:
    """Run `work` on a store opened for it, from sync code, inside an event loop or not.

    Callers are synchronous (the CLI, a TUI worker thread, `scan` inside its own loop); a
    running loop gets the work done on a thread of its own (it waits, as a blocking call does).
    """

    async def run() -> T:
        store = open_store(data_dir, database_url)
        try:
            return await work(store)
        finally:
            await store.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    with ThreadPoolExecutor(1, thread_name_prefix="ticos-bootstrap") as pool:
        return pool.submit(asyncio.run, run()).result()
