"""`ticos-tui` without a command: the settings, then the TUI.

Light on purpose: everything this module imports runs before Textual, on the path to the
first frame, so it loads nothing that only a subcommand uses. The process-wide settings of a
TUI run (the collector, the hang-up handling) live here, with the process's owner.
"""

from __future__ import annotations

import argparse
import gc
import os
import select
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from ticos_tui.cli.connection import settings
from ticos_tui.core.errors import UsageError

if TYPE_CHECKING:
    from textual.app import App

NO_TERMINAL = (
    "the TUI needs a terminal on stdin and stdout (none here); "
    "for scripts use `ticos-tui keys …` (see `ticos-tui keys --help`)"
)


def tui(args: argparse.Namespace) -> int:
    """The default command: open the TUI."""
    if not _has_terminal():
        raise UsageError(NO_TERMINAL)  # drawn to a pipe, it would wait for keys forever
    resolved = settings(args)
    # Importing Textual and composing the screen allocate ~100k objects that live as long as
    # the app; the collector would scan them over and over before anything is drawn. It is
    # off until the first frame (`collect_from_now_on`, called by the app's Ready handler).
    # Same-run rounds on a pty (`python -m benchmarks startup`, 5 rounds; without: collector
    # left on). Quiet machine: 10,000 keys first screenful 0.401 -> 0.477 s (1.15x), all
    # browsable 0.609 -> 0.696 s (1.13x, range 1.10-1.16); 100 keys' first frame the same
    # (0.99x). Loaded machine: 1.21-1.35x in one run, 0.88-1.24x (ranges 0.5-2.8) in another.
    gc.disable()
    try:
        from ticos_tui.tui.app import make_app  # Textual: only when the TUI opens
    except ImportError as err:
        raise UsageError(f"the TUI is not available in this installation ({err})") from None
    app = make_app(resolved, timeout=args.timeout, on_ready=collect_from_now_on)
    _end_on_hangup(app)
    app.run()
    return 0


def _has_terminal() -> bool:
    """A terminal on stdin and stdout, or a Textual driver of its own that needs none
    (`ticos-tui web`: textual-serve names its web driver, which speaks over pipes)."""
    return bool(os.environ.get("TEXTUAL_DRIVER")) or (sys.stdin.isatty() and sys.stdout.isatty())


def collect_from_now_on() -> None:
    """After the first frame: the collector on, everything alive so far out of its way.

    Start-up leaves ~100k long-lived objects (widgets, styles, modules); frozen, the collector
    stops re-scanning them while the keys load.
    """
    gc.freeze()
    gc.enable()


def _end_on_hangup(app: App[Any]) -> None:
    """The app exits when its terminal goes away: SIGHUP, or a hang-up on stdin (EOF, EIO).

    Textual's input thread reads an ended stdin as "nothing yet" and tries again at once,
    forever, at full CPU; a thread blocked in poll() (no reading, no timer) wakes only on
    the hang-up and asks the app to exit.
    """

    def exit_app() -> None:
        try:
            app.call_from_thread(app.exit)
        except RuntimeError:  # not running (yet, or any more): stop the main thread instead
            import _thread

            _thread.interrupt_main()

    def watch() -> None:
        poller = select.poll()
        poller.register(sys.stdin.fileno(), 0)  # POLLHUP and POLLERR are reported regardless
        try:
            poller.poll()
        except OSError:
            return
        exit_app()

    threading.Thread(target=watch, name="ticos-hangup", daemon=True).start()
    signal.signal(
        signal.SIGHUP,
        lambda _signum, _frame: threading.Thread(target=exit_app, daemon=True).start(),
    )
