"""Copy text to a clipboard and say only what happened: a program confirmed it, or the terminal was sent it.

A clipboard program gets the text on its stdin, never in its arguments (which any
user can read with `ps`), and counts as confirmed only when it exits 0. Without
one, the text goes to the terminal as OSC 52, which nothing confirms: tmux with
`set-clipboard off`, for one, drops it silently.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import App

_TIMEOUT = 5.0  # seconds; a program that hangs is a copy that was not confirmed


@dataclass(frozen=True, slots=True)
class Copied:
    """Where a copy went; `confirmed` only when a clipboard program said it took it."""

    confirmed: bool
    browser: bool = False  # served to a web browser: the browser's clipboard, never the server's

    def sentence(self, what: str) -> str:
        """What to tell the user about copying `what` ("the key", "the id key_1")."""
        if self.confirmed:
            return f"Copied {what} to the system clipboard."
        where = "browser's" if self.browser else "terminal's"
        return (
            f"Sent {what} to your {where} clipboard, which can't confirm it: "
            "paste it somewhere to check."
        )


@dataclass(frozen=True, slots=True)
class _Program:
    argv: tuple[str, ...]
    encoding: str = "utf-8"


def _programs(env: Mapping[str, str], platform: str) -> list[_Program]:
    """The clipboard programs that fit this session, best first; each reads the text on stdin."""
    found: list[_Program] = []
    if platform == "darwin":
        found.append(_Program(("pbcopy",)))
    if env.get("WAYLAND_DISPLAY"):
        found.append(_Program(("wl-copy",)))
    if env.get("DISPLAY"):
        found.append(_Program(("xclip", "-selection", "clipboard", "-in")))
        found.append(_Program(("xsel", "--clipboard", "--input")))
    if platform in ("win32", "cygwin") or env.get("WSL_DISTRO_NAME"):
        found.append(_Program(("clip.exe",), encoding="utf-16-le"))
    if env.get("TERMUX_VERSION"):
        found.append(_Program(("termux-clipboard-set",)))
    return found


def _run(argv: list[str], data: bytes) -> bool:
    """Run a clipboard program with `data` on stdin; True when it exited 0."""
    try:
        done = subprocess.run(
            argv,
            input=data,
            stdout=subprocess.DEVNULL,  # xclip and wl-copy stay behind to serve the selection:
            stderr=subprocess.DEVNULL,  # no pipe of ours may keep them (or us) waiting
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _to_system(text: str) -> bool:
    for program in _programs(os.environ, sys.platform):
        path = shutil.which(program.argv[0])
        if path is not None and _run([path, *program.argv[1:]], text.encode(program.encoding)):
            return True
    return False


async def copy_text(app: App[object], text: str) -> Copied:
    """Put `text` on the system clipboard if a program confirms it, else send it to the terminal.

    In a browser (`ticos-tui web`) the system clipboard is the server's: the text goes only to
    the web terminal, which hands it to the browser's clipboard.
    """
    if app.is_web:
        app.copy_to_clipboard(text)
        return Copied(confirmed=False, browser=True)
    if await asyncio.to_thread(_to_system, text):
        return Copied(confirmed=True)
    app.copy_to_clipboard(text)
    return Copied(confirmed=False)
