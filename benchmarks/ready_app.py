"""`python -m benchmarks.ready_app first|all`: ticos-tui that reports to the terminal when its keys are up.

The benchmark's own subclass of the app: it listens for the pane's `KeysShown` / `KeysLoaded`
messages, and on the frame after the one that drew them writes `BENCH_READY <what> <perf_counter>`
to the terminal and exits. Settings come from the environment, as for `ticos-tui`.
"""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

from textual import on

from benchmarks._common import READY_PREFIX
from ticos_tui.settings.config import Settings, resolve_settings
from ticos_tui.tui.api_keys.pane import ApiKeysPane
from ticos_tui.tui.app import TicosApp

WHEN = ("first", "all")


class ReadyApp(TicosApp):
    """TicosApp that exits once the keys are shown (`first`) or all loaded (`all`)."""

    # A subclass outside the package: point at the app's own stylesheet.
    CSS_PATH = str(Path(inspect.getfile(TicosApp)).with_name(str(TicosApp.CSS_PATH)))

    def __init__(self, settings: Settings, when: str) -> None:
        super().__init__(settings)
        self.when = when

    @on(ApiKeysPane.KeysShown)
    def _report_shown(self) -> None:
        if self.when == "first":
            self.call_after_refresh(self.call_after_refresh, self._write_ready_line, "first")

    @on(ApiKeysPane.KeysLoaded)
    def _report_loaded(self) -> None:
        if self.when == "all":
            self.call_after_refresh(self.call_after_refresh, self._write_ready_line, "all")

    def _write_ready_line(self, what: str) -> None:
        # Textual captures sys.stderr while it runs; the terminal is the original stream.
        stream = sys.__stderr__
        if stream is not None:
            stream.write(f"{READY_PREFIX} {what} {time.perf_counter():.6f}\n")
            stream.flush()
        self.exit()


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in WHEN:
        print(f"usage: python -m benchmarks.ready_app {'|'.join(WHEN)}", file=sys.stderr)
        return 2
    ReadyApp(resolve_settings(), argv[0]).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
