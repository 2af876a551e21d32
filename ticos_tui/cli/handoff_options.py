"""`--to DEST` (with gh's --repo/--env, and --print) for `keys create` and `keys roll`."""

from __future__ import annotations

import argparse

from ticos_tui.handoff.destinations import HELP


def add_destination_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("send the new key to a secret store (on its stdin only)")
    group.add_argument(
        "--to",
        metavar="DEST",
        help=f"store the new key there instead of printing it; {HELP}",
    )
    group.add_argument("--repo", metavar="OWNER/REPO", help="with --to gh:NAME: the repository")
    group.add_argument("--env", metavar="ENVIRONMENT", help="with --to gh:NAME: the environment")
    group.add_argument(
        "--print",
        action="store_true",
        dest="print_key",
        help="with --to: print the key on stdout too",
    )
