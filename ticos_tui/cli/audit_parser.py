"""The `ticos-tui audit` command's options (light: building the parser loads no client)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ticos_tui.cli import args
from ticos_tui.cli.handler import Handler
from ticos_tui.core.audit_actions import ACTIONS

AddCommand = Callable[..., argparse.ArgumentParser]


def add_audit_parser(commands: Any, conn: argparse.ArgumentParser, command: AddCommand) -> None:
    """Register `audit` with `command` (the parser's own way of adding a command)."""
    examples: Sequence[str] = (
        "audit --since 7d --key 'Nightly Batch Script'",
        "audit --follow --action key.revoked",
        "audit --jsonl --limit 1000 | jq -r .client",
    )
    audit = command(
        commands,
        "audit",
        "The audit log: who created, renamed, rolled, revoked or deleted which key, from where",
        Handler("ticos_tui.cli.audit", "audit"),
        examples,
        parents=[conn],
    )
    audit.add_argument("--key", metavar="ID|NAME", help="only events about this key")
    audit.add_argument("--action", choices=ACTIONS, help="only events of this action")
    audit.add_argument(
        "--since",
        type=args.duration,
        metavar="SPAN",
        help="only events of the last SPAN, e.g. 30m, 12h, 7d (default: all that are kept)",
    )
    audit.add_argument(
        "--limit",
        type=_limit,
        metavar="N",
        default=None,
        help="most events to show, newest first (default: 100; with --follow, the last 10 "
        "before following)",
    )
    audit.add_argument(
        "--follow",
        action="store_true",
        help="keep printing events as they happen, oldest first, until Ctrl-C",
    )
    formats = audit.add_mutually_exclusive_group()
    formats.add_argument(
        "--json", dest="format", action="store_const", const="json", help="a JSON array"
    )
    formats.add_argument(
        "--jsonl", dest="format", action="store_const", const="jsonl", help="one JSON object a line"
    )
    audit.set_defaults(format="text")


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("must be from 1 to 100000")
    return value
