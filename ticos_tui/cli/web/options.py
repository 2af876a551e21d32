"""The options of `ticos-tui web` that bound and lock it (light: the CLI's parser imports them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ticos_tui.service.run.options import HEADER_TIMEOUT

MAX_SESSIONS = 4


def add_web_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="PATH",
        help="a fixed token (a 0600 file; or TICOS_WEB_TOKEN) instead of one made per launch",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=MAX_SESSIONS,
        metavar="N",
        help="browser tabs served at once (default: %(default)s)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=HEADER_TIMEOUT,
        metavar="SECONDS",
        help="seconds a client has to send a whole request (default: %(default)s)",
    )
