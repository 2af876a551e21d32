"""A command's function, named by module and attribute and imported only when the command runs.

The parser holds one `Handler` per command, so building it loads no command's code: `ticos-tui`
alone opens the TUI without first importing what `keys` or `scan` need, and `--help` and shell
completion stay light.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module

Command = Callable[[argparse.Namespace], int]


class Handler:
    """`module.name(args)`, importing `module` on the first call."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def resolve(self) -> Command:
        """The function itself (an AttributeError or ImportError names what is missing)."""
        function: Command = getattr(import_module(self.module), self.name)
        return function

    def __call__(self, args: argparse.Namespace) -> int:
        return self.resolve()(args)

    def __repr__(self) -> str:
        return f"Handler({self.module!r}, {self.name!r})"
