"""The flags of `ticos-tui serve` and `accounts create --database-url`, light enough for the parser.

Building the CLI's parser must not load the service (`ticos_tui.service.run.options` holds
constants only); `ticos_tui.service.run.server.serve` takes these as keyword arguments.
"""

from __future__ import annotations

import argparse
from typing import Any

from ticos_tui.service.run.options import (
    AUDIT_RETENTION_DAYS,
    DATABASE_URL_ENV,
    DATABASE_URL_FORM,
    HEADER_TIMEOUT,
    LOG_FORMATS,
    LOG_LEVELS,
    database_url_from_env,
    is_database_url,
)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    """The `serve` options (`ticos-tui serve`)."""
    parser.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        default=None,
        help="comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto to "
        "trust (default: none; the client is the TCP peer)",
    )
    parser.add_argument(
        "--limit-concurrency",
        metavar="N",
        type=_positive_int,
        default=None,
        help="most connections at once; past it idle ones are closed and new requests get 503 "
        "(default: what the open-file limit leaves room for, at most 1000)",
    )
    parser.add_argument(
        "--header-timeout",
        metavar="SECONDS",
        type=_positive_float,
        default=HEADER_TIMEOUT,
        help="seconds a client has to send a whole request (default: %(default)s)",
    )
    parser.add_argument(
        "--audit-retention-days",
        metavar="DAYS",
        type=_days,
        default=AUDIT_RETENTION_DAYS,
        help="days audit events are kept; older ones are removed in the background "
        "(default: %(default)s)",
    )
    add_observe_options(parser)
    add_database_url_option(parser)


def add_observe_options(parser: argparse.ArgumentParser) -> None:
    """What the operator sees: the log (on stderr) and the metrics endpoint."""
    parser.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="info",
        help="least severe log line written; info has one access line per request: method, "
        "route, status, duration, client (default: %(default)s)",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="text lines, or json: one object per line (default: %(default)s)",
    )
    parser.add_argument(
        "--metrics",
        action="store_true",
        help="serve Prometheus metrics at /metrics on the same port; do not expose it publicly "
        "(needs: pip install 'ticos-tui[metrics]')",
    )


# -- the store: --database-url (serve and accounts create) ------------------------------------


def add_database_url_option(parser: argparse.ArgumentParser) -> None:
    """`--database-url`: PostgreSQL instead of the data folder's SQLite (default: $TICOS_DATABASE_URL)."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        type=database_url,
        default=None,
        help="a postgresql:// URL: keep accounts and keys in that PostgreSQL database, which "
        f"several `serve` instances may share (default: ${DATABASE_URL_ENV}; the data folder's "
        "SQLite if unset). Put a password in PGPASSWORD or ~/.pgpass, not in the URL: "
        "arguments are visible to other users. Needs: pip install 'ticos-tui[postgres]'",
    )


def database_url(text: str) -> str:
    """A PostgreSQL URL as given, or a usage error naming the form it must have."""
    if not is_database_url(text):
        raise argparse.ArgumentTypeError(DATABASE_URL_FORM)
    return text


def database_url_of(args: argparse.Namespace) -> str | None:
    """The database URL: --database-url, else $TICOS_DATABASE_URL, else None (SQLite)."""
    given = getattr(args, "database_url", None)
    if given:
        return str(given)
    return database_url_from_env()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 2:
        raise argparse.ArgumentTypeError("must be at least 2")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= 36_500:
        raise argparse.ArgumentTypeError("must be from 1 to 36500 days")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def serve_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `serve` from parsed `add_serve_options` options."""
    return {
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "limit_concurrency": args.limit_concurrency,
        "header_timeout": args.header_timeout,
        "log_level": args.log_level,
        "log_format": args.log_format,
        "metrics": args.metrics,
        "database_url": database_url_of(args),
        "audit_retention_days": args.audit_retention_days,
    }
