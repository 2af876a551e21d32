"""`ticos-tui auth status|list|switch|logout`: every stored login, the active one marked."""

from __future__ import annotations

import argparse
import os

from ticos_tui.cli.args import DEFAULT_TIMEOUT
from ticos_tui.cli.output import note, print_json, say
from ticos_tui.core.errors import TicosError
from ticos_tui.settings.config import EMBEDDED_BASE_URL, resolve_settings, server_name
from ticos_tui.settings.logins import all_logins, find_login, login_name, settings_for, switch_to


def _active(args: argparse.Namespace) -> str:
    return resolve_settings(base_url=getattr(args, "base_url", None)).base_url


def auth_list(args: argparse.Namespace) -> int:
    active = _active(args)
    rows = [
        {"name": login_name(url), "base_url": url, "token": where, "active": url == active}
        for url, where in all_logins()
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        mark = "*" if row["active"] else " "
        say(f"{mark} {row['name']:<24} {row['base_url']}  (token: {row['token']})")
    return 0


def auth_status(args: argparse.Namespace) -> int:
    """Each login checked against its server: who it signs in as, or why it does not."""
    import asyncio

    from ticos_tui.wiring import open_client

    active = _active(args)
    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)

    async def check(url: str) -> str:
        try:
            settings = settings_for(url, getattr(args, "data_dir", None))
            async with open_client(settings, timeout=timeout) as client:
                account = await client.account()
            return f"signed in as {account.name} <{account.email}>"
        except TicosError as err:
            return f"not signed in: {err}"

    failed = False
    for url, where in all_logins():
        said = asyncio.run(check(url))
        failed = failed or said.startswith("not")
        mark = "✓" if not said.startswith("not") else "✗"
        active_mark = "  (active)" if url == active else ""
        say(
            f"{login_name(url)}{active_mark}\n  {mark} {server_name(url)}: {said}\n  token: {where}"
        )
    return 1 if failed else 0


def auth_switch(args: argparse.Namespace) -> int:
    url = switch_to(args.name)
    note(f"Now using {server_name(url)} ({login_name(url)}) by default.")
    if os.environ.get("TICOS_BASE_URL"):
        note("Note: TICOS_BASE_URL is set in this environment and still takes effect.")
    return 0


def auth_logout(args: argparse.Namespace) -> int:
    from ticos_tui.cli.accounts import logout

    if args.name is not None:
        url = find_login(args.name)
        if url == EMBEDDED_BASE_URL:
            note("The local service needs no login; nothing to forget.")
            return 0
        args.base_url = url
    return logout(args)
