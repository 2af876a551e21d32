"""One pass over paths (and optionally their git history): the client-free core of the leak scan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ticos_tui.scan.detect import Finding, ScanStats, scan_file
from ticos_tui.scan.history import scan_history
from ticos_tui.scan.walk import iter_files


def scan_paths(
    paths: Sequence[str],
    *,
    no_ignore: bool = False,
    history: bool = False,
    stats: ScanStats | None = None,
) -> Iterator[Finding]:
    """Every key in the files under `paths` (see `iter_files`), and with `history` in git history.

    Files that cannot be read are skipped and listed in `stats.unreadable`.
    Raises HistoryUnavailable when `history` is asked of a path git cannot read.
    """
    stats = ScanStats() if stats is None else stats
    for path in iter_files(paths, no_ignore=no_ignore):
        try:
            yield from scan_file(path, stats=stats)
        except OSError as err:
            stats.unreadable.append((path, err.strerror or type(err).__name__))
    if history:
        for path in paths:
            yield from scan_history(path)
