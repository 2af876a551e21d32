"""What the CLI and the scanner print: data to stdout, messages to stderr, every line through `visible`."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from ticos_tui.core.sanitize import visible

PROG = "ticos-tui"


def say(text: str = "", *, file: TextIO | None = None) -> None:
    """Print `text` for a person on stdout (or `file`), each line made safe for a terminal."""
    out = file or sys.stdout
    for line in text.split("\n"):
        print(visible(line), file=out)


def note(text: str, *, file: TextIO | None = None) -> None:
    """A message on stderr (or `file`): keeps stdout for the data a script reads."""
    out = file or sys.stderr
    for line in text.split("\n"):
        print(visible(line), file=out)
    out.flush()


def error(message: str, *, prog: str = PROG) -> None:
    """`prog: error: message` on one line of stderr, whatever line breaks `message` holds."""
    print(f"{prog}: error: {visible(' '.join(message.split()))}", file=sys.stderr)


def print_json(data: Any, *, indent: int | None = 2, file: TextIO | None = None) -> None:
    """`data` as JSON on stdout (or `file`), with every non-ASCII character escaped."""
    out = file or sys.stdout
    # ensure_ascii keeps escape characters in names as \u001b: parseable, and inert on a terminal.
    print(json.dumps(data, ensure_ascii=True, indent=indent), file=out)
    out.flush()
