"""The `ticos-tui` command: the TUI by default, the local service, logins, and keys for scripts.

Kept import-light: httpx, the service and Textual load inside the command that needs them,
so `ticos-tui --help` and shell completion stay fast.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from ticos_tui import __version__
from ticos_tui.errors import TicosError, UsageError
from ticos_tui.models import SCOPES, ApiKey
from ticos_tui.sanitize import visible
from ticos_tui.serve_options import add_serve_options, serve_options

if TYPE_CHECKING:
    from ticos_tui.client import TicosClient
    from ticos_tui.config import Settings

T = TypeVar("T")
PROG = "ticos-tui"
DEFAULT_TIMEOUT = 10.0
MAX_GRACE = timedelta(days=7)

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
  TICOS_HOME      the local service's data folder"""

DESCRIPTION = """\
Manage the API keys of a Ticos account from the terminal. Without a command,
opens the TUI. Data (keys, JSON) goes to stdout; messages go to stderr."""

_SECRET_IN_TEXT = re.compile(r"tk_[0-9A-Za-z]{20,}|tst_[A-Za-z0-9_-]{20,}")


class _ArgumentError(Exception):
    """A command-line mistake, reported as one line and exit 2 instead of argparse's usage dump."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(f"{message} (see `{self.prog} --help`)")


# -- output: every line a person sees goes through `visible` --


def _say(text: str = "") -> None:
    for line in text.split("\n"):
        print(visible(line), file=sys.stdout)


def _note(text: str) -> None:
    for line in text.split("\n"):
        print(visible(line), file=sys.stderr)


def _error(message: str) -> None:
    print(f"{PROG}: error: {visible(' '.join(message.split()))}", file=sys.stderr)


def _print_json(data: Any, *, indent: int | None = 2) -> None:
    # ensure_ascii keeps escape characters in names as \u001b: parseable, and inert on a terminal.
    print(json.dumps(data, ensure_ascii=True, indent=indent), file=sys.stdout)


def _quoted(name: str) -> str:
    return f"“{name}”"


# -- argument types --

_DURATION = re.compile(r"\s*(\d+)\s*([smhdwy]?)\s*", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def _parse_duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; use a number and a unit, e.g. 30m, 12h, 7d, 4w, 1y"
        )
    number, unit = int(match.group(1)), (match.group(2) or "s").lower()
    if number > 100 * 365 * 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is too long")
    return timedelta(seconds=number * _UNIT_SECONDS[unit])


def _expiry(text: str) -> timedelta:
    span = _parse_duration(text)
    if span <= timedelta(0):
        raise argparse.ArgumentTypeError("the expiry must be in the future, e.g. 30d")
    return span


def _grace(text: str) -> timedelta:
    if text.strip().lower() == "now":
        return timedelta(0)
    span = _parse_duration(text)
    if span > MAX_GRACE:
        raise argparse.ArgumentTypeError("the grace period can be at most 7d")
    return span


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError("days must be between 1 and 90")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 600 seconds")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("the port must be between 0 and 65535")
    return value


# -- settings and the client --


def _settings(args: argparse.Namespace) -> Settings:
    from ticos_tui.config import resolve_settings

    return resolve_settings(
        base_url=getattr(args, "base_url", None), data_dir=getattr(args, "data_dir", None)
    )


def _with_client(
    args: argparse.Namespace, action: Callable[[TicosClient, Settings], Awaitable[T]]
) -> T:
    """Resolve the settings, open a client, run `action` on it and close it."""
    import asyncio

    from ticos_tui.connect import open_client

    settings = _settings(args)
    client = open_client(settings, timeout=getattr(args, "timeout", DEFAULT_TIMEOUT))

    async def run() -> T:
        async with client:
            return await action(client, settings)

    return asyncio.run(run())


def _require_confirmation(args: argparse.Namespace, verb: str) -> None:
    """Refuse early (before any request) when a destructive command can't ask and has no --yes."""
    if not args.yes and not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {verb} without confirmation: stdin is not a terminal; "
            f"pass --yes to {verb} anyway"
        )


def _ask(question: str) -> bool:
    print(visible(question) + " [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


# -- table formatting --


def _cells(text: str) -> int:
    """Terminal columns `text` takes (wide East Asian characters 2, combining marks 0)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _clip(text: str, limit: int) -> str:
    if _cells(text) <= limit:
        return text
    out, used = "", 0
    for char in text:
        size = 0 if unicodedata.combining(char) else _cells(char)
        if used + size > limit - 1:
            break
        out, used = out + char, used + size
    return out + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    cells = [[visible(c) for c in header]] + [[visible(c) for c in row] for row in rows]
    widths = [max(_cells(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        padded = [c + " " * (widths[i] - _cells(c)) for i, c in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return lines


def _scopes_summary(key: ApiKey) -> str:
    if key.full_access:
        return "full access"
    if not key.scopes:
        return "none"
    if len(key.scopes) <= 2:
        return ", ".join(key.scopes)
    return f"{key.scopes[0]} +{len(key.scopes) - 1}"


def _expires(key: ApiKey, now: datetime) -> str:
    from ticos_tui.timefmt import relative

    if key.expires_at is None:
        return "never"
    if key.status == "expired" or key.expires_at <= now:
        return f"expired {relative(key.expires_at, now)}"
    return relative(key.expires_at, now)


def _key_rows(keys: Sequence[ApiKey], now: datetime) -> list[list[str]]:
    from ticos_tui.timefmt import relative

    return [
        [
            key.id,
            _clip(visible(key.name), 40),
            key.snippet,
            key.status,
            _scopes_summary(key),
            relative(key.created_at, now),
            relative(key.last_used_at, now, never="never"),
            _expires(key, now),
        ]
        for key in keys
    ]


_KEY_HEADER = ("ID", "NAME", "KEY", "STATUS", "SCOPES", "CREATED", "LAST USED", "EXPIRES")


def _describe(key: ApiKey) -> str:
    return f"{_quoted(key.name)} ({key.id}, {key.snippet})"


# -- commands --


def _cmd_tui(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        from ticos_tui.tui.app import make_app
    except ImportError as err:
        raise UsageError(f"the TUI is not available in this installation ({err})") from None
    make_app(settings).run()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from ticos_tui.config import resolve_data_dir

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    from ticos_tui.service.server import serve

    return int(serve(args.host, args.port, data_dir, **serve_options(args)) or 0)


def _cmd_accounts_create(args: argparse.Namespace) -> int:
    from ticos_tui.config import resolve_data_dir

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    from ticos_tui.service.bootstrap import create_account

    # The service's bootstrap stores what it is given, so the contract's name rules apply here.
    name = args.name.strip()
    if not 1 <= len(name) <= 100 or visible(name) != name:
        raise UsageError("the account name must be 1 to 100 characters, no control characters")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", args.email) or visible(args.email) != args.email:
        raise UsageError(f"{args.email!r} is not an email address")
    try:
        account_id, token = create_account(data_dir, name, args.email)
    except ValueError as err:
        raise UsageError(str(err)) from None
    print(token, file=sys.stdout, flush=True)
    _note(
        f"Created account {_quoted(name)} <{args.email}> ({account_id}) in {data_dir}.\n"
        "Its session token is on stdout and is not shown again. Use it against "
        "`ticos-tui serve` as TICOS_TOKEN, or store it with `ticos-tui login --base-url URL`."
    )
    return 0


def _login_url(args: argparse.Namespace) -> str:
    from ticos_tui.config import config_file_path, normalize_base_url, read_config_file

    raw = getattr(args, "base_url", None) or os.environ.get("TICOS_BASE_URL")
    if not raw:
        raw = read_config_file(config_file_path()).get("base_url")
    if not raw:
        raise UsageError(
            "which server? pass --base-url URL (the embedded local service needs no login)"
        )
    return normalize_base_url(raw)


def _read_token(url: str) -> str:
    if sys.stdin.isatty():
        import getpass

        token = getpass.getpass(f"Token for {url} (input hidden): ")
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise UsageError("no token given; paste it at the prompt or pipe it on stdin")
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise UsageError("that is not a token: it holds spaces, control or non-ASCII characters")
    return token


def _cmd_login(args: argparse.Namespace) -> int:
    from ticos_tui.credentials import store_token

    url = _login_url(args)
    token = _read_token(url)
    if not args.no_verify:
        import asyncio

        from ticos_tui.client import TicosClient

        async def check() -> str:
            async with TicosClient(url, token, timeout=args.timeout) as client:
                account = await client.account()
            return f"{account.name} <{account.email}>"

        who = asyncio.run(check())
        _note(f"Token accepted by {url}: signed in as {who}.")
    where = store_token(url, token)
    _note(f"Stored the token for {url} in the {where}.")
    return 0


def _cmd_logout(args: argparse.Namespace) -> int:
    from ticos_tui.credentials import forget_token

    url = _login_url(args)
    removed = forget_token(url)
    if removed:
        _note(f"Forgot the token for {url} (removed from the {' and the '.join(removed)}).")
    else:
        _note(f"No stored login for {url}; nothing to forget.")
    if os.environ.get("TICOS_TOKEN"):
        _note("Note: TICOS_TOKEN is set in this environment and still takes effect.")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.mode == "embedded":
        mode = f"embedded local service (data folder {settings.data_dir})"
    else:
        mode = f"remote ({settings.mode_label})"
    config_state = "" if settings.config_file.exists() else " (not present)"
    _say(
        f"Mode:        {mode}\n"
        f"Base URL:    {settings.base_url}\n"
        f"Credential:  {settings.token_source}\n"
        f"Config file: {settings.config_file}{config_state}"
    )

    async def account(client: TicosClient, _: Settings) -> str:
        found = await client.account()
        return f"{found.name} <{found.email}> ({found.id})"

    _say(f"Account:     {_with_client(args, account)}")
    return 0


def _cmd_keys_list(args: argparse.Namespace) -> int:
    from ticos_tui.timefmt import now_utc

    async def fetch(client: TicosClient, _: Settings) -> list[ApiKey]:
        return await client.list_keys(status=args.status)

    keys = _with_client(args, fetch)
    if args.format == "json":
        _print_json([k.to_json() for k in keys])
    elif args.format == "jsonl":
        for key in keys:
            _print_json(key.to_json(), indent=None)
    elif not keys:
        _note("No keys." if args.status == "all" else f"No {args.status} keys.")
    else:
        _say("\n".join(_table(_KEY_HEADER, _key_rows(keys, now_utc()))))
    return 0


def _cmd_keys_create(args: argparse.Namespace) -> int:
    from ticos_tui.timefmt import exact, now_utc

    expires_at = now_utc().replace(microsecond=0) + args.expires_in if args.expires_in else None

    async def create(client: TicosClient, _: Settings) -> Any:
        return await client.create_key(args.name, scopes=args.scopes, expires_at=expires_at)

    created = _with_client(args, create)
    if args.json:
        _print_json({**created.api_key.to_json(), "key": created.key})
    else:
        print(created.key, file=sys.stdout, flush=True)
    key = created.api_key
    expiry = f", expires {exact(key.expires_at)}" if key.expires_at else ""
    _note(
        f"Created key {_describe(key)} with {_scopes_summary(key)}{expiry}.\n"
        "The full key is on stdout and is never shown again: store it now."
    )
    return 0


def _cmd_keys_rename(args: argparse.Namespace) -> int:
    async def rename(client: TicosClient, _: Settings) -> ApiKey:
        return await client.rename_key(args.id, args.name)

    key = _with_client(args, rename)
    if args.json:
        _print_json(key.to_json())
    _note(f"Renamed key {key.id} to {_quoted(key.name)}.")
    return 0


def _destroy(args: argparse.Namespace, verb: str, consequence: str) -> int:
    _require_confirmation(args, verb)

    async def run(client: TicosClient, _: Settings) -> tuple[str, ApiKey | None]:
        described = args.id
        if not args.yes:
            key = await client.get_key(args.id)
            described = _describe(key)
            if not _ask(f"{verb.capitalize()} key {described}? {consequence}"):
                raise UsageError(f"not confirmed; nothing was {verb}d")
        if verb == "revoke":
            revoked = await client.revoke_key(args.id)
            return _describe(revoked), revoked
        await client.delete_key(args.id)
        return described, None

    described, key = _with_client(args, run)
    if key is not None and getattr(args, "json", False):
        _print_json(key.to_json())
    _note(f"{verb.capitalize()}d key {described}. {consequence}")
    return 0


def _cmd_keys_revoke(args: argparse.Namespace) -> int:
    return _destroy(args, "revoke", "Anything using it fails from the next request on.")


def _cmd_keys_delete(args: argparse.Namespace) -> int:
    return _destroy(args, "delete", "It stops working now and disappears from every list for good.")


def _cmd_keys_roll(args: argparse.Namespace) -> int:
    from ticos_tui.timefmt import exact, now_utc

    grace = int(args.grace.total_seconds())

    async def roll(client: TicosClient, _: Settings) -> Any:
        return await client.roll_key(args.id, grace_seconds=grace)

    created = _with_client(args, roll)
    if args.json:
        _print_json({**created.api_key.to_json(), "key": created.key})
    else:
        print(created.key, file=sys.stdout, flush=True)
    old = (
        "The old key stopped working now."
        if grace == 0
        else f"The old key keeps working until {exact(now_utc() + args.grace)}."
    )
    _note(
        f"Rolled key {args.id}: the new key is {_describe(created.api_key)}. {old}\n"
        "The new key is on stdout and is never shown again: store it now."
    )
    return 0


def _cmd_keys_usage(args: argparse.Namespace) -> int:
    from ticos_tui.timefmt import exact, relative
    from ticos_tui.usagechart import bar_chart, sparkline

    async def fetch(client: TicosClient, _: Settings) -> Any:
        return await client.get_key(args.id), await client.usage(args.id, days=args.days)

    key, days = _with_client(args, fetch)
    if args.json:
        _print_json([{"date": d.date.isoformat(), "requests": d.requests} for d in days])
        return 0
    total = sum(d.requests for d in days)
    last = (
        f"{relative(key.last_used_at)} ({exact(key.last_used_at)})" if key.last_used_at else "never"
    )
    _say(f"Requests per day for key {_describe(key)}, last {len(days)} days")
    _say(sparkline([d.requests for d in days]))
    _say()
    _say("\n".join(bar_chart(days)))
    _say()
    _say(f"Total: {total} request{'s' if total != 1 else ''} · Last used: {last}")
    return 0


def _cmd_keys_review(args: argparse.Namespace) -> int:
    from ticos_tui.review import review_keys
    from ticos_tui.timefmt import now_utc

    # Usage figures cost one request per key and add little: `last_used_at` answers every
    # rule, so the review lists the active keys once and stays one or two requests.
    async def fetch(client: TicosClient, _: Settings) -> list[ApiKey]:
        return await client.list_keys(status="active")

    keys = _with_client(args, fetch)
    items = review_keys(keys, now=now_utc())
    if args.json:
        _print_json([{"key": i.key.to_json(), "reasons": list(i.reasons)} for i in items])
        return 0
    if not items:
        count = "no active keys" if not keys else f"{len(keys)} active key" + "s" * (len(keys) > 1)
        _say(f"Nothing to review ({count}).")
        return 0
    _say(f"{len(items)} of {len(keys)} active keys to review:")
    for item in items:
        _say()
        _say(f"{_clip(visible(item.key.name), 60)}  {item.key.id}  {item.key.snippet}")
        for reason in item.reasons:
            _say(f"  - {reason}")
        _say(f"  revoke: ticos-tui keys revoke {item.key.id}")
        _say(f"  roll:   ticos-tui keys roll {item.key.id} --grace 24h")
    return 0


# -- the parser --


def _connection_options() -> argparse.ArgumentParser:
    # SUPPRESS defaults, so a flag given before the command is not reset by the subparser.
    options = _Parser(add_help=False)
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
        type=_timeout,
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help=f"seconds to wait for each answer (default: {DEFAULT_TIMEOUT:g})",
    )
    return options


def _data_dir_option() -> argparse.ArgumentParser:
    options = _Parser(add_help=False)
    options.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder of the local service (default: TICOS_HOME, config.toml, "
        "else the platform's user data folder)",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    conn = _connection_options()
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"{EXIT_CODES}\n\n{ENVIRONMENT}",
        formatter_class=formatter,
        parents=[conn],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.set_defaults(func=_cmd_tui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        parent: Any, name: str, help_text: str, func: Callable[[argparse.Namespace], int], **kw: Any
    ) -> argparse.ArgumentParser:
        sub = parent.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES,
            formatter_class=formatter,
            **kw,
        )
        sub.set_defaults(func=func)
        return sub

    serve = command(
        commands,
        "serve",
        "Serve the local Ticos service over HTTP",
        _cmd_serve,
        parents=[_data_dir_option()],
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=_port, default=8765, help="port (default: %(default)s)")
    add_serve_options(serve)

    accounts = commands.add_parser(
        "accounts", help="Accounts of the local service", formatter_class=formatter
    )
    account_cmds = accounts.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create_account = command(
        account_cmds,
        "create",
        "Create an account on the local service; prints its session token once, on stdout",
        _cmd_accounts_create,
        parents=[_data_dir_option()],
    )
    create_account.add_argument("name")
    create_account.add_argument("email")

    login = command(
        commands,
        "login",
        "Store a token for a server (read from a hidden prompt, or one line of stdin)",
        _cmd_login,
        parents=[conn],
    )
    login.add_argument(
        "--no-verify", action="store_true", help="store the token without asking the server"
    )
    command(commands, "logout", "Forget the token stored for a server", _cmd_logout, parents=[conn])
    command(
        commands,
        "status",
        "Show the mode, server, account and where the credential comes from",
        _cmd_status,
        parents=[conn],
    )

    keys = commands.add_parser(
        "keys",
        help="List, create, rename, revoke, delete, roll and review API keys",
        description="Manage the account's API keys.",
        epilog=EXIT_CODES,
        formatter_class=formatter,
    )
    key_cmds = keys.add_subparsers(title="commands", metavar="COMMAND", required=True)

    listing = command(key_cmds, "list", "List keys, newest first", _cmd_keys_list, parents=[conn])
    listing.add_argument("--status", choices=("active", "revoked", "expired", "all"), default="all")
    formats = listing.add_mutually_exclusive_group()
    formats.add_argument(
        "--json", dest="format", action="store_const", const="json", help="a JSON array"
    )
    formats.add_argument(
        "--jsonl", dest="format", action="store_const", const="jsonl", help="one JSON object a line"
    )
    listing.set_defaults(format="table")

    create = command(
        key_cmds,
        "create",
        "Create a key; the full key alone goes to stdout: KEY=$(ticos-tui keys create ci)",
        _cmd_keys_create,
        parents=[conn],
    )
    create.add_argument("name")
    create.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        metavar="SCOPE",
        help="repeat for each scope (default: full access *); one of: " + ", ".join(SCOPES),
    )
    create.add_argument(
        "--expires-in",
        type=_expiry,
        metavar="DURATION",
        help="e.g. 12h, 7d, 30d, 1y (default: never)",
    )
    create.add_argument(
        "--json", action="store_true", help="print the created key as a JSON object (with key)"
    )

    rename = command(key_cmds, "rename", "Rename a key", _cmd_keys_rename, parents=[conn])
    rename.add_argument("id")
    rename.add_argument("name")
    rename.add_argument("--json", action="store_true", help="print the renamed key as JSON")

    for name, help_text, func in (
        ("revoke", "Revoke a key: it stops working at once, and stays listed", _cmd_keys_revoke),
        ("delete", "Delete a key: revoked and removed from every list", _cmd_keys_delete),
    ):
        sub = command(key_cmds, name, help_text, func, parents=[conn])
        sub.add_argument("id")
        sub.add_argument(
            "-y", "--yes", action="store_true", help="do it without asking (needed without a TTY)"
        )
        if name == "revoke":
            sub.add_argument("--json", action="store_true", help="print the revoked key as JSON")

    roll = command(
        key_cmds,
        "roll",
        "Replace a key with a new one of the same name and scopes; the new key goes to stdout",
        _cmd_keys_roll,
        parents=[conn],
    )
    roll.add_argument("id")
    roll.add_argument(
        "--grace",
        type=_grace,
        default=timedelta(0),
        metavar="DURATION",
        help="how long the old key keeps working: now, 30m, 1h, 24h, 7d (default: now)",
    )
    roll.add_argument(
        "--json", action="store_true", help="print the new key as a JSON object (with key)"
    )

    usage = command(
        key_cmds,
        "usage",
        "Requests per day for a key, as a text chart",
        _cmd_keys_usage,
        parents=[conn],
    )
    usage.add_argument("id")
    usage.add_argument("--days", type=_days, default=30, help="1 to 90 (default: %(default)s)")
    usage.add_argument("--json", action="store_true", help="the daily figures as JSON")

    review = command(
        key_cmds,
        "review",
        "Active keys worth a second look (unused, idle, full access, expiring, duplicate names)",
        _cmd_keys_review,
        parents=[conn],
    )
    review.add_argument("--json", action="store_true", help="the keys and reasons as JSON")

    if importlib.util.find_spec("ticos_tui.scan") is not None:
        from ticos_tui import scan

        scan.register(commands)  # type: ignore[arg-type]
    return parser


def _redact(text: str) -> str:
    return _SECRET_IN_TEXT.sub("[secret]", text)


def main(argv: list[str] | None = None) -> int:
    """Run `ticos-tui` with `argv` (default: the process's); returns the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "timeout"):
            args.timeout = DEFAULT_TIMEOUT
        return int(args.func(args))
    except _ArgumentError as err:
        _error(str(err))
        return 2
    except TicosError as err:
        _error(_redact(str(err)))
        return err.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except Exception as err:
        if os.environ.get("TICOS_DEBUG"):
            raise
        _error(
            f"unexpected {type(err).__name__}: {_redact(str(err))} "
            "(run again with TICOS_DEBUG=1 for the details, and please report it)"
        )
        return 1
