"""The `ticos-tui` command: the TUI by default, the local service, logins, and keys for scripts.

Kept import-light: httpx, the service and Textual load inside the command that needs them,
and each command's own module only when it runs (see `Handler`), so `ticos-tui --help`, shell
completion and the TUI's start-up pay for none of the others. `main` is the one error boundary:
every failure becomes one line on stderr and an exit code.
"""

from __future__ import annotations

import os
import sys

from ticos_tui.cli.args import DEFAULT_TIMEOUT, ArgumentError
from ticos_tui.cli.output import error
from ticos_tui.cli.parser import build_parser
from ticos_tui.core.errors import TicosError

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run `ticos-tui` with `argv` (default: the process's); returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if not hasattr(args, "timeout"):
            args.timeout = DEFAULT_TIMEOUT
        return int(args.func(args))
    except ArgumentError as err:
        error(str(err))
        return 2
    except TicosError as err:
        error(_redacted(err))
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
        error(
            f"unexpected {type(err).__name__}: {_redacted(err)} "
            "(run again with TICOS_DEBUG=1 for the details, and please report it)"
        )
        return 1


def _redacted(err: BaseException) -> str:
    """The error's text with any API key in it cut to a snippet."""
    from ticos_tui.core.keyformat import redact  # key rules: only when there is an error

    return redact(str(err))
