"""The CLI's parser class and argument types: durations, days, seconds, ports, each with a clear error."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import NoReturn

DEFAULT_TIMEOUT = 10.0
MAX_GRACE = timedelta(days=7)

_DURATION = re.compile(r"\s*(\d+)\s*([smhdwy]?)\s*", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


class ArgumentError(Exception):
    """A command-line mistake, reported as one line and exit 2 instead of argparse's usage dump."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgumentError(f"{message} (see `{self.prog} --help`)")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """A command (`ticos-tui keys list`) refuses what it does not know itself, so the
        error points to its own help, not to the top level's (argparse leaves unknown
        arguments to the top level, which then says `see ticos-tui --help`)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and " " in self.prog:  # a command's parser: "ticos-tui keys list"
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def key_name(text: str) -> str:
    """A key's name by the contract's rule (the one the dialogs use), checked before any request."""
    from ticos_tui.core.names import name_problem  # only when a name is given

    problem = name_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `4w`, `1y` (a bare number is seconds)."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; use a number and a unit, e.g. 30m, 12h, 7d, 4w, 1y"
        )
    number, unit = int(match.group(1)), (match.group(2) or "s").lower()
    if number > 100 * 365 * 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is too long")
    return timedelta(seconds=number * _UNIT_SECONDS[unit])


def expiry(text: str) -> timedelta:
    """A key's lifetime from now: a duration above zero."""
    span = duration(text)
    if span <= timedelta(0):
        raise argparse.ArgumentTypeError("the expiry must be in the future, e.g. 30d")
    return span


def grace(text: str) -> timedelta:
    """How long a rolled key keeps working: `now`, or a duration of at most 7 days."""
    if text.strip().lower() == "now":
        return timedelta(0)
    span = duration(text)
    if span > MAX_GRACE:
        raise argparse.ArgumentTypeError("the grace period can be at most 7d")
    return span


def days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError("days must be between 1 and 90")
    return value


def timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 600 seconds")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("the port must be between 0 and 65535")
    return value
