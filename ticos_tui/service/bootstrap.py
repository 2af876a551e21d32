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
from ticos_tui.service.store.rows import AccountSummary, SessionSummary
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


class AccountExists(ValueError):
    """An account already has this email address."""


async def add_account(store: Store, name: str, email: str) -> tuple[str, str]:
    """A new account and its first session token: (account id, token).

    Raises AccountExists when an account has `email` already (compared ignoring case).
    """
    for account in await store.accounts():
        if account["email"].casefold() == email.casefold():
            raise AccountExists(
                f"an account with the email {email} exists already ({account['id']}); "
                "see it with `ticos-tui accounts list`"
            )
    account_id = await store.create_account(name, email)
    return account_id, await store.issue_session_token(account_id)


def local_session_token(data_dir: Path) -> str:
    """The embedded local account's session token, creating the database, account and file.

    The file `<data_dir>/session-token` (0600, folder 0700) holds the token; the database only
    its hash.
    """
    data_dir = ensure_private_dir(Path(data_dir))
    path = token_path(data_dir)
    return with_store(data_dir, None, lambda store: ensure_local_token(store, path))


def create_account(
    data_dir: Path, name: str, email: str, *, database_url: str | None = None
) -> tuple[str, str]:
    """Add an account to the store (the data folder's SQLite, or `database_url`).

    Returns (account id, session token); the caller shows the token once, only its hash is kept.
    """
    folder = Path(data_dir) if database_url else ensure_private_dir(Path(data_dir))
    return with_store(folder, database_url, lambda store: add_account(store, name, email))


def accounts(data_dir: Path, database_url: str | None) -> list[AccountSummary]:
    """Every account of the store, oldest first (the operator's `accounts list`)."""
    return with_store(data_dir, database_url, lambda store: store.accounts())


def find_account(store_accounts: list[AccountSummary], which: str) -> AccountSummary:
    """The account whose email (ignoring case) or `acc_` id is `which`; LookupError if none."""
    for account in store_accounts:
        if which in (account["id"], account["email"]) or (
            account["email"].casefold() == which.casefold()
        ):
            return account
    raise LookupError(f"no account has the email or id {which!r} (see `ticos-tui accounts list`)")


def sessions(
    data_dir: Path, database_url: str | None, which: str
) -> tuple[AccountSummary, list[SessionSummary]]:
    """The account `which` (email or id) and its live sessions."""

    async def work(store: Store) -> tuple[AccountSummary, list[SessionSummary]]:
        account = find_account(await store.accounts(), which)
        return account, await store.sessions(account["id"])

    return with_store(data_dir, database_url, work)


def end_session(
    data_dir: Path, database_url: str | None, which: str, session_id: str
) -> AccountSummary:
    """End the session `session_id` of the account `which`; LookupError when either is unknown."""

    async def work(store: Store) -> AccountSummary:
        account = find_account(await store.accounts(), which)
        ended = await store.end_session_by_id(account["id"], session_id, "ended by the operator")
        if not ended:
            raise LookupError(
                f"{account['email']} has no live session {session_id!r} "
                f"(see `ticos-tui accounts sessions {account['email']}`)"
            )
        return account

    return with_store(data_dir, database_url, work)


def with_store(
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
