"""`ticos-tui completion SHELL`: a shell completion script generated from the CLI's own parser."""

from __future__ import annotations

import argparse

from ticos_tui.core.errors import UsageError

SHELLS = ("bash", "zsh", "tcsh")


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` (bash, zsh or tcsh), from `parser`'s commands and options.

    shtab is imported here only, so no other command pays for it.
    """
    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}; choose one of: {', '.join(SHELLS)}")
    import shtab

    return str(shtab.complete(parser, shell=shell))
