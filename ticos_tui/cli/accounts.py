"""Where and as whom ticos-tui works: `serve`, `web`, `accounts create`, `login`, `logout`, `status`."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ticos_tui.cli.connection import settings, with_client
from ticos_tui.cli.output import note, print_json, say
from ticos_tui.cli.serve_options import database_url_of, serve_options
from ticos_tui.core.errors import Conflict, ConnectionFailed, NotFound, TicosError, UsageError
from ticos_tui.core.present import quoted
from ticos_tui.core.sanitize import visible
from ticos_tui.settings.config import (
    checked_token,
    config_file_path,
    normalize_base_url,
    plain_http_warning,
    read_config_file,
    resolve_data_dir,
)
from ticos_tui.settings.credentials import forget_token, load_token, store_token

T = TypeVar("T")

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient
    from ticos_tui.core.models import Account
    from ticos_tui.settings.config import Settings


def serve(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    try:
        options = serve_options(args)
    except ValueError as err:  # a bad TICOS_DATABASE_URL
        raise UsageError(str(err)) from None
    from ticos_tui.service.run.server import ServeError  # Starlette, uvicorn, the store
    from ticos_tui.service.run.server import serve as serve_http

    try:
        return int(serve_http(args.host, args.port, data_dir, **options) or 0)
    except ServeError as err:
        raise TicosError(str(err)) from None


def web(args: argparse.Namespace) -> int:
    from ticos_tui.cli.web import serve_web  # textual-serve, from the `web` extra

    resolved = settings(args)
    return serve_web(
        args.host,
        args.port,
        public=args.public,
        public_url=args.public_url,
        base_url=resolved.base_url if resolved.mode == "remote" else None,
        data_dir=resolved.data_dir,
        timeout=getattr(args, "timeout", None),
        token_file=args.token_file,
        max_sessions=args.max_sessions,
        header_timeout=args.header_timeout,
    )


def _store_of(args: argparse.Namespace) -> tuple[Path, str | None]:
    """The data folder and database URL the `accounts` commands act on."""
    try:
        return resolve_data_dir(getattr(args, "data_dir", None)), database_url_of(args)
    except ValueError as err:  # a bad TICOS_DATABASE_URL
        raise UsageError(str(err)) from None


def _on_store(what: str, work: Callable[[], T]) -> T:
    """`work()` on the store, its failures in the CLI's words (`what`: "create the account")."""
    from ticos_tui.service.bootstrap import AccountExists
    from ticos_tui.service.store.errors import StoreUnavailable

    try:
        return work()
    except AccountExists as err:
        raise Conflict(f"cannot {what}: {err}", status=409) from None
    except LookupError as err:
        raise NotFound(str(err).strip("'\""), status=404) from None
    except ValueError as err:
        raise UsageError(str(err)) from None
    except StoreUnavailable as err:
        raise ConnectionFailed(f"cannot {what}: {err}") from None
    except RuntimeError as err:  # the driver is missing, or the schema is newer than this
        raise UsageError(f"cannot {what}: {err}") from None


def accounts_create(args: argparse.Namespace) -> int:
    data_dir, database_url = _store_of(args)
    from ticos_tui.service.bootstrap import create_account  # the store (SQLite or PostgreSQL)

    # The service's bootstrap stores what it is given, so the contract's name rules apply here.
    name = args.name.strip()
    if not 1 <= len(name) <= 100 or visible(name) != name:
        raise UsageError("the account name must be 1 to 100 characters, no control characters")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", args.email) or visible(args.email) != args.email:
        raise UsageError(f"{args.email!r} is not an email address")
    account_id, token = _on_store(
        "create the account",
        lambda: create_account(data_dir, name, args.email, database_url=database_url),
    )
    where = "the PostgreSQL database" if database_url else str(data_dir)
    print(token, file=sys.stdout, flush=True)
    note(
        f"Created account {quoted(name)} <{args.email}> ({account_id}) in {where}.\n"
        "Its session token is on stdout and is not shown again. Use it against "
        "`ticos-tui serve` as TICOS_TOKEN, or store it with `ticos-tui login --base-url URL`."
    )
    return 0


def accounts_list(args: argparse.Namespace) -> int:
    data_dir, database_url = _store_of(args)
    from ticos_tui.service.bootstrap import accounts

    rows = _on_store("list the accounts", lambda: accounts(data_dir, database_url))
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        say(
            f"{row['id']}  {visible(row['name'])} <{visible(row['email'])}>  "
            f"created {row['created_at']}  {row['keys']} key{'s' if row['keys'] != 1 else ''}, "
            f"{row['sessions']} live session{'s' if row['sessions'] != 1 else ''}"
        )
    if not rows:
        note("No accounts yet: `ticos-tui accounts create NAME EMAIL` makes one.")
    return 0


def accounts_sessions(args: argparse.Namespace) -> int:
    data_dir, database_url = _store_of(args)
    from ticos_tui.service.bootstrap import sessions

    account, rows = _on_store(
        "list the sessions", lambda: sessions(data_dir, database_url, args.account)
    )
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        say(f"{row['id']}  began {row['created_at']}")
    note(
        f"{len(rows)} live session{'s' if len(rows) != 1 else ''} of "
        f"{visible(account['email'])} ({account['id']}); end one with "
        "`ticos-tui accounts end-session EMAIL SES_ID`."
    )
    return 0


def accounts_end_session(args: argparse.Namespace) -> int:
    data_dir, database_url = _store_of(args)
    from ticos_tui.service.bootstrap import end_session

    account = _on_store(
        "end the session", lambda: end_session(data_dir, database_url, args.account, args.session)
    )
    note(
        f"Ended session {visible(args.session)} of {visible(account['email'])}: its token stops "
        "working now (recorded as session.ended in the audit log)."
    )
    return 0


def _login_url(args: argparse.Namespace) -> str:
    raw = getattr(args, "base_url", None) or os.environ.get("TICOS_BASE_URL")
    if not raw:
        raw = read_config_file(config_file_path()).get("base_url")
    if not raw:
        raise UsageError(
            "which server? pass --base-url URL (the embedded local service needs no login)"
        )
    return normalize_base_url(raw)


def _read_token(url: str) -> str:
    """The token from a hidden prompt on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        token, source = getpass.getpass(f"Token for {url} (input hidden): "), "the prompt"
    else:
        token, source = sys.stdin.readline(), "stdin"
    if not token.strip():
        raise UsageError("no token given; paste it at the prompt or pipe it on stdin")
    return checked_token(token, source)


def login(args: argparse.Namespace) -> int:
    url = _login_url(args)
    warning = plain_http_warning(url)
    if warning is not None:
        note(visible(warning))
        if not args.insecure:
            raise UsageError(
                "not sending a session token over plain HTTP to another machine; use an "
                "https:// URL, or pass --insecure if the network on the way is trusted"
            )
    token = _read_token(url)
    if not args.no_verify:
        import asyncio

        from ticos_tui.client.connect import remote_client  # httpx

        async def check() -> str:
            async with remote_client(url, token, timeout=args.timeout) as client:
                account = await client.account()
            return f"{account.name} <{account.email}>"

        who = asyncio.run(check())
        note(f"Token accepted by {url}: signed in as {who}.")
    where = store_token(url, token)
    note(f"Stored the token for {url} in the {where}.")
    return 0


def logout(args: argparse.Namespace) -> int:
    url = _login_url(args)
    stored = load_token(url)
    if stored is not None:  # end it on the server first; forget it here whatever happens
        from ticos_tui.client.session import end_remote_session

        note(end_remote_session(url, stored.token, args.timeout))
    removed = forget_token(url)
    if removed:
        note(f"Forgot the token for {url} (removed from the {' and the '.join(removed)}).")
    else:
        note(f"No stored login for {url}; nothing to forget.")
    if os.environ.get("TICOS_TOKEN"):
        note("Note: TICOS_TOKEN is set in this environment and still takes effect.")
    return 0


EMBEDDED_ADDRESS = "embedded, no network"


def status(args: argparse.Namespace) -> int:
    resolved = settings(args)
    embedded = resolved.mode == "embedded"
    warning = None if embedded else plain_http_warning(resolved.base_url)
    if warning is not None:
        note(visible(warning))

    async def fetch(client: TicosClient, _: Settings) -> Account:
        return await client.account()

    if args.json:
        found = with_client(args, fetch)
        print_json(
            {
                "mode": resolved.mode,
                # The embedded service answers in-process: its URL is internal, not an address.
                "base_url": None if embedded else resolved.base_url,
                "data_dir": str(resolved.data_dir) if embedded else None,
                "credential": resolved.token_source,
                "config_file": str(resolved.config_file),
                "config_file_exists": resolved.config_file.exists(),
                "account": {"id": found.id, "name": found.name, "email": found.email},
            }
        )
        return 0
    if embedded:
        mode = f"embedded local service (data folder {resolved.data_dir})"
    else:
        mode = f"remote ({resolved.mode_label})"
    config_state = "" if resolved.config_file.exists() else " (not present)"
    say(
        f"Mode:        {mode}\n"
        f"Base URL:    {EMBEDDED_ADDRESS if embedded else resolved.base_url}\n"
        f"Credential:  {resolved.token_source}\n"
        f"Config file: {resolved.config_file}{config_state}"
    )
    found = with_client(args, fetch)
    say(f"Account:     {found.name} <{found.email}> ({found.id})")
    return 0
