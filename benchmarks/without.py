"""`python -m benchmarks.without PIECE [ARGS]`: `ticos-tui ARGS` with one start-up piece taken out.

Each piece of start-up machinery stays only while a same-run comparison shows what it buys
(startup.py and dialogs.py run these beside the shipped app, in alternating rounds):

  collector  the garbage collector left on through start-up, nothing frozen
  kept       every dialog built anew on each opening, as a plain Textual app does
"""

from __future__ import annotations

import sys
import types
from typing import Any

PIECES = ("collector", "kept")


def _build_anew(_app: object, cls: Any, *args: Any, **kwargs: Any) -> Any:
    return cls(*args, **kwargs)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in PIECES:
        print(__doc__, file=sys.stderr)
        return 2
    piece, rest = argv[0], argv[1:]
    if piece == "collector":
        from ticos_tui.cli import launch

        def nothing() -> None:
            return None

        launch.gc = types.SimpleNamespace(disable=nothing, freeze=nothing, enable=nothing)  # type: ignore[assignment,attr-defined]
    else:
        from ticos_tui.tui import dialogs

        dialogs.kept = _build_anew  # type: ignore[assignment]
    from ticos_tui.cli import main as ticos_main

    return ticos_main(rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
