"""One pass over paths (and optionally their git history): the client-free core of the leak scan."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from ticos_tui.cli.scan.detect import Finding, ScanStats, scan_file
from ticos_tui.cli.scan.history import scan_history, scan_messages, toplevel
from ticos_tui.cli.scan.walk import iter_files


def scan_paths(
    paths: Sequence[str],
    *,
    no_ignore: bool = False,
    history: bool = False,
    stats: ScanStats | None = None,
) -> Iterator[Finding]:
    """Every key in the files under `paths` (see `iter_files`), and with `history` in git history.

    With `history`, also the keys in the messages of its commits and annotated tags.
    Files and folders that cannot be read are skipped and listed in `stats.unreadable`.
    Raises HistoryUnavailable when `history` is asked of a path git cannot read.
    """
    stats = ScanStats() if stats is None else stats
    for path in iter_files(paths, no_ignore=no_ignore, unreadable=stats.unreadable):
        try:
            yield from scan_file(path, stats=stats)
        except OSError as err:
            stats.unreadable.append((path, err.strerror or type(err).__name__))
    if history:
        seen: set[Finding] = set()  # overlapping paths (`.` and `a.txt`) share commits
        repositories: set[str] = set()
        for path in paths:
            for finding in scan_history(path, stats):
                if finding not in seen:
                    seen.add(finding)
                    yield finding
            top = toplevel(path if os.path.isdir(path) else os.path.dirname(path) or ".")
            if top not in repositories:  # messages belong to the repository, not a path
                repositories.add(top)
                yield from scan_messages(top)
