"""Options for acting on several keys: `keys revoke|delete KEY...`, `keys list --name --limit`."""

from __future__ import annotations

import argparse

from ticos_tui.cli.completion import KEY_COMPLETE

KEYS_HELP = "the keys' ids (key_…), or names only one key has each; one confirmation lists them all"


def add_several_keys_argument(parser: argparse.ArgumentParser) -> None:
    keys = parser.add_argument("ids", nargs="+", metavar="KEY", help=KEYS_HELP)
    keys.complete = KEY_COMPLETE  # type: ignore[attr-defined]  # shtab's (and fish's) completion


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_list_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name",
        metavar="GLOB",
        help="only keys whose name matches, e.g. 'ci-*' (* ? [] as in a shell, case-sensitive)",
    )
    parser.add_argument(
        "--limit", type=_positive, metavar="N", help="at most N keys (the newest first)"
    )
