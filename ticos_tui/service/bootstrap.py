"""First use of a data folder: the database, the local account and its session-token file."""

from __future__ import annotations

import getpass
from pathlib import Path

from ticos_tui.keyformat import is_well_formed_token, secret_hash
from ticos_tui.paths import ensure_private_dir, read_private_file, write_private_file
from ticos_tui.service.store import Store

TOKEN_FILE = "session-token"  # noqa: S105 - a file name, not a secret


def _local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:  # no login name (e.g. a container without a passwd entry)
        return "local"


def token_path(data_dir: Path) -> Path:
    return Path(data_dir) / TOKEN_FILE


def local_session_token(data_dir: Path) -> str:
    """The local account's session token, creating the database, account and token file as needed.

    The file `<data_dir>/session-token` (0600, folder 0700) holds the token; the database only its
    hash. A file whose token the database knows is reused; otherwise a new token is issued.
    """
    data_dir = ensure_private_dir(Path(data_dir))
    path = token_path(data_dir)
    store = Store(data_dir)
    try:
        account_id = store.local_account()
        text = read_private_file(path)  # refused, with the fix, when others can read it
        if text is not None:
            token = text.strip()
            if is_well_formed_token(token):
                owner = store.account_for_token_hash(secret_hash(token))
                if owner is not None and (account_id is None or owner == account_id):
                    return token
        if account_id is None:
            user = _local_user()
            account_id = store.create_account(user, f"{user}@localhost", local=True)
        # A lost or replaced file: its token must not keep working, so earlier ones end here.
        token = store.issue_session_token(account_id, revoke_others=True)
        write_private_file(path, token + "\n")
        return token
    finally:
        store.close()


def create_account(data_dir: Path, name: str, email: str) -> tuple[str, str]:
    """Add an account to the data folder's database; returns (account id, session token).

    The token is shown to the person once by the caller; only its hash is kept.
    """
    store = Store(ensure_private_dir(Path(data_dir)))
    try:
        account_id = store.create_account(name, email)
        return account_id, store.issue_session_token(account_id)
    finally:
        store.close()
