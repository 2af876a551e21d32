"""The `ticos-tui` argument parser: one small function registers each command and its options."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ticos_tui import __version__
from ticos_tui.cli import args
from ticos_tui.cli.accounts_parser import (
    add_accounts_parser,
    add_login_parsers,
    add_serve_parsers,
)
from ticos_tui.cli.audit_parser import add_audit_parser
from ticos_tui.cli.auth_parser import add_auth_parser, add_login_option
from ticos_tui.cli.bulk_options import add_list_filters, add_several_keys_argument
from ticos_tui.cli.completion import KEY_COMPLETE, SHELLS
from ticos_tui.cli.handler import Command, Handler
from ticos_tui.cli.handoff_options import add_destination_options
from ticos_tui.cli.output import PROG
from ticos_tui.cli.scan.options import add_scan_parser
from ticos_tui.core.models import STATUSES
from ticos_tui.core.scopes import SCOPES

# The commands' modules, imported only by the command that runs (see Handler).
_ACCOUNTS = "ticos_tui.cli.accounts"
_KEYS = "ticos_tui.cli.keys"

EXIT_CODES = """\
exit codes:
  0    success
  1    API or network error: the server refused, failed or could not be reached
  2    usage error: bad arguments or settings, or a destructive command not confirmed
  130  interrupted (Ctrl-C)"""

ENVIRONMENT = """\
environment:
  TICOS_BASE_URL  the Ticos API to use (default: the embedded local service)
  TICOS_TOKEN     the credential for it (else the one stored by `ticos-tui login`)
  TICOS_HOME      the local service's data folder
  TICOS_DEBUG     set to 1 to show the Python traceback of an unexpected error"""

EXAMPLES = """\
examples:
  ticos-tui                              open the TUI
  ticos-tui keys list --status active    the active keys, as a table"""

DESCRIPTION = """\
Manage the API keys of a Ticos account from the terminal. Without a command,
opens the TUI. Data (keys, JSON) goes to stdout; messages go to stderr."""

_FORMATTER = argparse.RawDescriptionHelpFormatter


def _connection_options() -> argparse.ArgumentParser:
    # SUPPRESS defaults, so a flag given before the command is not reset by the subparser.
    options = args.Parser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="Ticos API to use, e.g. http://127.0.0.1:8765 (default: TICOS_BASE_URL, "
        "config.toml, else the embedded local service)",
    )
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder of the embedded local service (default: TICOS_HOME, config.toml, "
        "else the platform's user data folder)",
    )
    group.add_argument(
        "--timeout",
        type=args.timeout,
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help=f"seconds to wait for each answer (default: {args.DEFAULT_TIMEOUT:g})",
    )
    add_login_option(group)
    return options


def _data_dir_option() -> argparse.ArgumentParser:
    options = args.Parser(add_help=False)
    options.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder of the local service (default: TICOS_HOME, config.toml, "
        "else the platform's user data folder)",
    )
    return options


def _examples(*lines: str) -> str:
    """The closing block of a command's --help: one or two command lines a person can copy."""
    return "examples:\n" + "\n".join(f"  {PROG} {line}" for line in lines)


def _command(
    parent: Any, name: str, help_text: str, func: Command, examples: Sequence[str], **kw: Any
) -> argparse.ArgumentParser:
    """Add command `name` running `func`: its help, the exit codes, `examples`, parents in `kw`."""
    sub: argparse.ArgumentParser = parent.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"{EXIT_CODES}\n\n{_examples(*examples)}",
        formatter_class=_FORMATTER,
        **kw,
    )
    sub.set_defaults(func=func)
    return sub


def _json_flag(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--json", action="store_true", help=help_text)


# -- completion (serve, web, accounts, login, logout, status: accounts_parser.py) --


def _completion(parsed: argparse.Namespace) -> int:
    from ticos_tui.cli.completion import completion_script  # shtab

    print(completion_script(build_parser(), parsed.shell), end="")
    return 0


def _add_completion(commands: Any) -> None:
    completion = _command(
        commands,
        "completion",
        'Print a shell completion script: eval "$(ticos-tui completion bash)"',
        _completion,
        [
            "completion bash > ~/.local/share/bash-completion/completions/ticos-tui",
            "completion zsh > ~/.zfunc/_ticos-tui",
            "completion fish > ~/.config/fish/completions/ticos-tui.fish",
        ],
    )
    completion.add_argument("shell", choices=SHELLS)


# -- keys --


def _add_keys_list(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    listing = _command(
        key_cmds,
        "list",
        "List keys, newest first (fitted to the terminal's width; piped, every word)",
        Handler(_KEYS, "keys_list"),
        ["keys list --status active", "keys list --json | jq -r '.[].id'"],
        parents=[conn],
    )
    listing.add_argument(
        "--status",
        choices=(*STATUSES, "all"),
        default="all",
        help="only the keys in this state (default: all)",
    )
    formats = listing.add_mutually_exclusive_group()
    formats.add_argument(
        "--json", dest="format", action="store_const", const="json", help="a JSON array"
    )
    formats.add_argument(  # what shell completion offers for a KEY: ids and names, a line each
        "--complete", dest="format", action="store_const", const="complete", help=argparse.SUPPRESS
    )
    formats.add_argument(
        "--jsonl", dest="format", action="store_const", const="jsonl", help="one JSON object a line"
    )
    listing.set_defaults(format="table")
    add_list_filters(listing)


def _add_keys_create(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    create = _command(
        key_cmds,
        "create",
        "Create a key; the full key alone goes to stdout: KEY=$(ticos-tui keys create ci)",
        Handler(_KEYS, "keys_create"),
        [
            "keys create ci --scope api_keys:read --expires-in 30d",
            'keys create "Nightly Batch Script" --json > created.json',
        ],
        parents=[conn],
    )
    create.add_argument("name", type=args.key_name)
    create.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        metavar="SCOPE",
        help="repeat for each scope (default: full access *); one of: " + ", ".join(SCOPES),
    )
    create.add_argument(
        "--expires-in",
        type=args.expiry,
        metavar="DURATION",
        help="e.g. 12h, 7d, 30d, 1y (default: never)",
    )
    _json_flag(create, "print the created key as a JSON object (with key)")
    add_destination_options(create)


KEY_ARGUMENT = "KEY"
KEY_HELP = "the key's id (key_…), or a name only one key has"


def _key_argument(parser: argparse.ArgumentParser) -> None:
    key = parser.add_argument("id", metavar=KEY_ARGUMENT, help=KEY_HELP)
    key.complete = KEY_COMPLETE  # type: ignore[attr-defined]  # shtab's (and fish's) completion


def _add_keys_get(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    get = _command(
        key_cmds,
        "get",
        "Show one key's fields",
        Handler(_KEYS, "keys_get"),
        ["keys get key_2x7Qm9", 'keys get "Nightly Batch Script" --json'],
        parents=[conn],
    )
    _key_argument(get)
    _json_flag(get, "the key as a JSON object")


def _add_keys_rename(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    rename = _command(
        key_cmds,
        "rename",
        "Rename a key",
        Handler(_KEYS, "keys_rename"),
        ['keys rename key_2x7Qm9 "Nightly Batch Script v2"'],
        parents=[conn],
    )
    _key_argument(rename)
    rename.add_argument("name", type=args.key_name)
    _json_flag(rename, "print the renamed key as JSON")


def _yes_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-y", "--yes", action="store_true", help="do it without asking (needed without a TTY)"
    )


def _add_destructive(
    key_cmds: Any, conn: argparse.ArgumentParser, name: str, help_text: str, func: Command
) -> argparse.ArgumentParser:
    examples = [
        f"keys {name} key_2x7Qm9",
        f'keys {name} "Nightly Batch Script" --yes',
        f"keys {name} $(ticos-tui keys list --name 'ci-*' --json | jq -r '.[].id')",
    ]
    sub = _command(key_cmds, name, help_text, func, examples, parents=[conn])
    add_several_keys_argument(sub)
    _yes_flag(sub)
    return sub


def _add_keys_revoke(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    help_text = "Revoke a key: it stops working at once, and stays listed"
    revoke = _add_destructive(key_cmds, conn, "revoke", help_text, Handler(_KEYS, "keys_revoke"))
    _json_flag(revoke, "print the revoked key as JSON")


def _add_keys_delete(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    help_text = "Delete a key: revoked and removed from every list"
    delete = _add_destructive(key_cmds, conn, "delete", help_text, Handler(_KEYS, "keys_delete"))
    _json_flag(delete, 'print the key as it was before, with "deleted": true, as JSON')


def _add_keys_roll(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    roll = _command(
        key_cmds,
        "roll",
        "Replace a key with a new one of the same name and scopes; the new key goes to stdout",
        Handler(_KEYS, "keys_roll"),
        ["keys roll key_2x7Qm9 --grace 24h", "keys roll key_2x7Qm9 --yes > new.key"],
        parents=[conn],
    )
    _key_argument(roll)
    roll.add_argument(
        "--grace",
        type=args.grace,
        default=timedelta(0),
        metavar="DURATION",
        help="how long the old key keeps working: now, 30m, 1h, 24h, 7d (default: now, "
        "which asks first, like revoke)",
    )
    roll.add_argument(
        "--expires-in",
        type=args.expiry,
        metavar="DURATION",
        help="when the new key expires, e.g. 7d, 30d, 1y (default: the old key's lifetime "
        "from now; never if it had none)",
    )
    _yes_flag(roll)
    _json_flag(roll, "print the new key as a JSON object (with key)")
    add_destination_options(roll)


def _add_keys_usage(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    usage = _command(
        key_cmds,
        "usage",
        "Requests per day for a key, as a text chart",
        Handler(_KEYS, "keys_usage"),
        ["keys usage key_2x7Qm9 --days 7", "keys usage key_2x7Qm9 --json"],
        parents=[conn],
    )
    _key_argument(usage)
    usage.add_argument("--days", type=args.days, default=30, help="1 to 90 (default: %(default)s)")
    _json_flag(usage, "the daily figures as JSON")


def _add_keys_review(key_cmds: Any, conn: argparse.ArgumentParser) -> None:
    review = _command(
        key_cmds,
        "review",
        "Active keys worth a second look (unused, idle, full access, expiring, duplicate names)",
        Handler(_KEYS, "keys_review"),
        ["keys review", "keys review --json"],
        parents=[conn],
    )
    _json_flag(review, "the keys and reasons as JSON")


def _add_keys(commands: Any, conn: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "keys",
        help="List, create, get, rename, revoke, delete, roll and review API keys",
        description="Manage the account's API keys. A KEY is its id (key_…), "
        "or a name only one key has.",
        epilog=f"{EXIT_CODES}\n\n{_examples('keys list', 'keys revoke key_2x7Qm9')}",
        formatter_class=_FORMATTER,
    )
    key_cmds = group.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in (
        _add_keys_list,
        _add_keys_create,
        _add_keys_get,
        _add_keys_rename,
        _add_keys_revoke,
        _add_keys_delete,
        _add_keys_roll,
        _add_keys_usage,
        _add_keys_review,
    ):
        add(key_cmds, conn)


def build_parser() -> argparse.ArgumentParser:
    """The whole `ticos-tui` parser; each command sets `func`, the TUI is the default."""
    conn = _connection_options()
    parser = args.Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"{EXIT_CODES}\n\n{ENVIRONMENT}\n\n{EXAMPLES}",
        formatter_class=_FORMATTER,
        parents=[conn],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.set_defaults(func=Handler("ticos_tui.cli.launch", "tui"))
    # Any: the subparsers are `Parser`s (errors as one line), which add_scan_parser also takes.
    commands: Any = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_serve_parsers(commands, conn, _data_dir_option(), _command)
    add_accounts_parser(commands, _data_dir_option(), _command)
    add_login_parsers(commands, conn, _command)
    _add_keys(commands, conn)
    add_audit_parser(commands, conn, _command)
    add_auth_parser(commands, conn, _command)
    add_scan_parser(commands).set_defaults(func=Handler("ticos_tui.cli.scan.command", "run"))
    _add_completion(commands)
    return parser
