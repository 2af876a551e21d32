"""The options and help of `ticos-tui scan`, light enough for the CLI's parser.

Building the parser must not load the scanner (`ticos_tui.cli.scan`: git, the walk, the detector);
`ticos_tui.cli.scan.command.run` takes what these options parse.
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "find leaked API keys in files and git history"

DESCRIPTION = """\
Find Ticos API keys (tk_… with a valid checksum) in files, and optionally in git
history, and ask the configured Ticos service whether each is still active.

PATH defaults to the current folder. Inside a git work tree the files are those
git lists (tracked, plus untracked files that .gitignore does not ignore); outside
git, .gitignore files are honoured all the same, and .git/ is never read. Files
named explicitly are always scanned (that is how pre-commit passes them).
Binary and minified files are scanned too. A key is shown only as its snippet
(tk_AbC1…wXyZ), never whole.

--history reports commit:path:line for each key a commit added (a merge too, when
its resolution added it), and keys in commit and annotated-tag messages.
The scanned repository is not trusted: git runs with its hooks, fsmonitor,
pagers, external diff, textconv and filter drivers, signature checks and
fetching all switched off, so nothing in it runs.
"""

EPILOG = """\
statuses:
  active     the service accepts this key: revoke it (the command is shown)
  revoked    the service says it was revoked
  expired    the service says it expired
  unknown    the service does not know it (it may belong to another server)
  unchecked  not verified (--offline, or the service could not be asked)

exit status:
  0  no key found, or every key found is revoked or expired
  1  a key that is active, unknown or unchecked was found, or a file could not
     be read: a pre-commit hook fails, since only a key the service says is
     dead is safe to commit
  2  usage error (bad flag, missing PATH, --history outside git, bad config)

Verifying a key counts as a use of it (its last-used time changes).

pre-commit (.pre-commit-config.yaml):
  - repo: local
    hooks:
      - id: ticos-scan
        name: ticos-tui leak scan
        entry: ticos-tui scan
        language: system
        pass_filenames: true

examples:
  ticos-tui scan
  ticos-tui scan --history --json
"""


def add_scan_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `scan` subcommand, its help and options, to `subparsers`; the caller sets `func`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scan",
        help=HELP,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument(
        "--history",
        action="store_true",
        help="also scan every commit of every ref (merges too) and commit and tag messages",
    )
    parser.add_argument(
        "--no-ignore", action="store_true", help="also scan files that .gitignore ignores"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the findings as JSON (snippets only)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the service; every key found is reported as unchecked (exit 1)",
    )
    # SUPPRESS: when the main parser already took these before `scan`, a default
    # here would silently overwrite what the user typed.
    parser.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="the Ticos service that verifies keys (default: TICOS_BASE_URL, config, local)",
    )
    parser.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="data folder of the local service (default: TICOS_HOME, config, platform default)",
    )
