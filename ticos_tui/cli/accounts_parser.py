"""`serve`, `web`, `accounts …` (the operator's view of a local or served store), `login`,
`logout` and `status`: where and as whom ticos-tui works (their handlers: cli/accounts.py)."""

from __future__ import annotations

import argparse
from typing import Any

from ticos_tui.cli import args
from ticos_tui.cli.audit_parser import AddCommand
from ticos_tui.cli.handler import Handler
from ticos_tui.cli.serve_options import add_database_url_option, add_serve_options
from ticos_tui.cli.web.options import add_web_options

_ACCOUNTS = "ticos_tui.cli.accounts"
_STORE_NOTE = (
    "These act on the store itself (the data folder's SQLite, or --database-url / "
    "TICOS_DATABASE_URL), as the operator of `ticos-tui serve` does: run them where it runs."
)


def add_accounts_parser(
    commands: Any, data_dir: argparse.ArgumentParser, command: AddCommand
) -> None:
    group = commands.add_parser(
        "accounts",
        help="Accounts of the local or served store: create, list, their sessions (operator)",
        description="Accounts of the local or served store. " + _STORE_NOTE,
        epilog="examples:\n"
        '  ticos-tui accounts create "Ada Lovelace" ada@example.com > ada.token\n'
        "  ticos-tui accounts list\n"
        "  ticos-tui accounts sessions ada@example.com\n"
        "  ticos-tui accounts end-session ada@example.com ses_...",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subs = group.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = command(
        subs, "create",
        "Create an account; prints its session token once, on stdout (an email in use is refused)",
        Handler(_ACCOUNTS, "accounts_create"),
        ['accounts create "Ada Lovelace" ada@example.com > ada.token'], parents=[data_dir],
    )  # fmt: skip
    create.add_argument("name", help="the account's name, as people read it")
    create.add_argument("email", help="the account's email address (one account per address)")
    listing = command(
        subs, "list", "Every account: id, name, email, created, its keys and live sessions",
        Handler(_ACCOUNTS, "accounts_list"),
        ["accounts list", "accounts list --json --database-url postgresql://ticos@db/ticos"],
        parents=[data_dir],
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="the accounts as JSON")
    sessions = command(
        subs, "sessions", "An account's live sessions (ses_ ids and when they began, no tokens)",
        Handler(_ACCOUNTS, "accounts_sessions"),
        ["accounts sessions ada@example.com", "accounts sessions acc_... --json"],
        parents=[data_dir],
    )  # fmt: skip
    sessions.add_argument("account", help="the account's email or acc_ id")
    sessions.add_argument("--json", action="store_true", help="the sessions as JSON")
    end = command(
        subs, "end-session",
        "End one session of an account: its token stops working at once (session.ended)",
        Handler(_ACCOUNTS, "accounts_end_session"),
        ["accounts end-session ada@example.com ses_..."], parents=[data_dir],
    )  # fmt: skip
    end.add_argument("account", help="the account's email or acc_ id")
    end.add_argument("session", help="the session's ses_ id (see `accounts sessions`)")
    for parser in (create, listing, sessions, end):
        add_database_url_option(parser)


def add_login_parsers(commands: Any, conn: argparse.ArgumentParser, command: AddCommand) -> None:
    login = command(
        commands, "login",
        "Store a token for a server (read from a hidden prompt, or one line of stdin)",
        Handler(_ACCOUNTS, "login"),
        ["login --base-url https://api.ticos.ai/v1",
         "login --base-url http://127.0.0.1:8765 < ada.token"],
        parents=[conn],
    )  # fmt: skip
    login.add_argument(
        "--no-verify", action="store_true", help="store the token without asking the server"
    )
    login.add_argument(
        "--insecure",
        action="store_true",
        help="allow a plain http:// URL to another machine (the token travels unencrypted)",
    )
    command(
        commands, "logout", "Forget the token stored for a server", Handler(_ACCOUNTS, "logout"),
        ["logout --base-url https://api.ticos.ai/v1"], parents=[conn],
    )  # fmt: skip
    status = command(
        commands, "status", "Show the mode, server, account and where the credential comes from",
        Handler(_ACCOUNTS, "status"),
        ["status", "status --base-url https://api.ticos.ai/v1 --json"], parents=[conn],
    )  # fmt: skip
    status.add_argument("--json", action="store_true", help="the same as a JSON object")


def add_serve_parsers(
    commands: Any,
    conn: argparse.ArgumentParser,
    data_dir: argparse.ArgumentParser,
    command: AddCommand,
) -> None:
    serve = command(
        commands, "serve", "Serve the local Ticos service over HTTP", Handler(_ACCOUNTS, "serve"),
        ["serve", "serve --port 8765 --data-dir /srv/ticos --forwarded-allow-ips 127.0.0.1"],
        parents=[data_dir],
    )  # fmt: skip
    web = command(
        commands, "web", "Serve the TUI to a web browser (needs: pip install 'ticos-tui[web]')",
        Handler(_ACCOUNTS, "web"), ["web", "web --port 8766 --base-url http://127.0.0.1:8765"],
        parents=[conn],
    )  # fmt: skip
    for parser, port in ((serve, 8765), (web, 8766)):
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
        )
        parser.add_argument(
            "--port", type=args.port, default=port, help="port (default: %(default)s)"
        )
    add_serve_options(serve)
    web.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host: anyone who has the printed address (its token) "
        "controls the account; put https in front of it",
    )
    web.add_argument("--public-url", metavar="URL", help="the address browsers use, behind a proxy")
    add_web_options(web)
