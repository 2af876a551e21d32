"""The leak scan: valid-checksum API keys in files and git history, checked with the service.

Importing this package stays light (no httpx, Textual or the service): the client is
imported only when findings are verified.
"""

from __future__ import annotations

from ticos_tui.cli.scan.check import Checked, check_findings
from ticos_tui.cli.scan.command import run
from ticos_tui.cli.scan.detect import Finding, ScanStats, find_keys, scan_bytes, scan_file
from ticos_tui.cli.scan.history import HistoryUnavailable, scan_history
from ticos_tui.cli.scan.scanner import scan_paths
from ticos_tui.cli.scan.walk import iter_files

__all__ = [
    "Checked",
    "Finding",
    "HistoryUnavailable",
    "ScanStats",
    "check_findings",
    "find_keys",
    "iter_files",
    "run",
    "scan_bytes",
    "scan_file",
    "scan_history",
    "scan_paths",
]
