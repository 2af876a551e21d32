"""`ticos-tui` without a command: the settings, the keys' prefetch child, then the TUI.

Light on purpose: everything this module imports runs before Textual, on the path to the
first frame, so it loads nothing that only a subcommand uses.
"""

from __future__ import annotations

import argparse
import gc

from ticos_tui.cli.connection import settings
from ticos_tui.core.errors import UsageError


def tui(args: argparse.Namespace) -> int:
    """The default command: open the TUI."""
    resolved = settings(args)
    from ticos_tui.tui.startup import prefetch

    # Importing Textual and composing the screen allocate ~100k objects that live as long as
    # the app; the collector would scan them over and over before anything is drawn (exec to
    # first frame, median of 6 on a pty: 0.53 s collecting, 0.41 s not). The app collects
    # again once its first frame is drawn (TicosApp.on_ready). The prefetch child inherits it.
    gc.disable()
    ahead = prefetch.start(resolved)  # before Textual is imported: on the other core
    try:
        from ticos_tui.tui.app import make_app  # Textual: only when the TUI opens
    except ImportError as err:
        raise UsageError(f"the TUI is not available in this installation ({err})") from None
    make_app(resolved, timeout=args.timeout, keys_ahead=ahead).run()
    return 0
