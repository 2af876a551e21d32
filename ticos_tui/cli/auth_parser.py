"""`ticos-tui auth …` (gh's words for several logins) and `--login NAME` for one command."""

from __future__ import annotations

import argparse
from typing import Any

from ticos_tui.cli.audit_parser import AddCommand
from ticos_tui.cli.handler import Handler

_AUTH = "ticos_tui.cli.auth"
NAME_HELP = "a login: its server's host[:port], its URL, or `local` (see `auth list`)"


def add_login_option(group: Any) -> None:
    group.add_argument(
        "--login",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="use this stored login for this command only; " + NAME_HELP,
    )


def add_auth_parser(commands: Any, conn: argparse.ArgumentParser, command: AddCommand) -> None:
    group = commands.add_parser(
        "auth",
        help="Several logins: status, list, switch the default, log out",
        description="Every stored login (server, where its token lives); the active one is "
        "marked. `switch` changes the default; `--login NAME` picks one for a single command.",
    )
    subs = group.add_subparsers(title="commands", metavar="COMMAND", required=True)
    listing = command(
        subs, "list", "Every stored login, the active one marked with *", Handler(_AUTH, "auth_list"),
        ["auth list", "auth list --json"], parents=[conn],
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="the logins as JSON")
    command(
        subs, "status", "Each login checked against its server: signed in as whom, or why not",
        Handler(_AUTH, "auth_status"), ["auth status"], parents=[conn],
    )  # fmt: skip
    switch = command(
        subs, "switch", "Make a login the default (config.toml's base_url)",
        Handler(_AUTH, "auth_switch"), ["auth switch api.ticos.ai", "auth switch local"],
        parents=[conn],
    )  # fmt: skip
    switch.add_argument("name", metavar="NAME", help=NAME_HELP)
    logout = command(
        subs, "logout", "End a login's session and forget its token",
        Handler(_AUTH, "auth_logout"), ["auth logout api.ticos.ai"], parents=[conn],
    )  # fmt: skip
    logout.add_argument("name", metavar="NAME", nargs="?", help=NAME_HELP + " (default: active)")
