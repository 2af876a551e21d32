"""Dialogs benchmark: each dialog's key press to the dialog on screen, against a bare ModalScreen.

Both apps run side by side on 120x35 pseudo-terminals: `ticos-tui` (embedded, 100 keys) and
the floor, a bare Textual app whose same keys push a plain ModalScreen holding a Label, an
Input and two Buttons. For each key, once the screen is settled (no output for 0.3 s), the key
is written and timed until a string only the dialog draws comes out of the pty master (the
dimmed page behind a modal is repainted too, so the string must not be on the page):

  n  "Full access"       the create dialog's first field (its title is also the page's button)
  e  "Rename API Key"    the title
  ?  "This help"         the help's first row (its title, "Keys", is on the page; its last
                         line is below the fold once the list outgrows 35 rows)
  d  "Revoke API key"    the title
  o  "Roll API key"      the title

then escape closes it and the screen settles again. The floor's marker is its dialog's title.
Presses alternate between the two apps, so both see the same machine load. The first press of
each key is reported on its own ("cold": classes and styles met for the first time); the
median is over the presses after it. ticos-tui builds each dialog on its first opening and
keeps it (tui/dialogs.py `kept`): its cold press composes the dialog, the others show it
again. The floor builds its dialog on every press, as a plain Textual app does; its cold
press pays for what a first ModalScreen costs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks._common import (
    COLUMNS,
    LINES,
    PtySession,
    isolated_env,
    machine,
    print_table,
    seed_data_dir,
    verdict,
)

FLOOR_APP = """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class FloorDialog(ModalScreen[None]):
    DEFAULT_CSS = '''
    FloorDialog { align: center middle; }
    FloorDialog > Vertical { width: 64; height: auto; border: thick $primary; background: $surface; }
    '''
    BINDINGS = [("escape", "close", "Close")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self):
        with Vertical():
            yield Label(self._title)
            yield Input(placeholder="name")
            with Horizontal():
                yield Button("Cancel")
                yield Button("OK", variant="primary")

    def action_close(self) -> None:
        self.dismiss(None)


class Floor(App[None]):
    BINDINGS = [
        ("n", "open('n')"), ("e", "open('e')"), ("question_mark", "open('?')"),
        ("d", "open('d')"), ("o", "open('o')"),
    ]

    def compose(self):
        yield Label("floor ready")

    def action_open(self, key: str) -> None:
        self.push_screen(FloorDialog(f"Floor dialog {key}"))


Floor().run()
"""
KEYS_COUNT = 100
# (key as typed, what it opens, the string only that dialog draws)
PRESSES: tuple[tuple[bytes, str, bytes], ...] = (
    (b"n", "n create", b"Full access"),
    (b"e", "e rename", b"Rename API Key"),
    (b"?", "? help", b"This help"),
    (b"d", "d revoke", b"Revoke API key"),
    (b"o", "o roll", b"Roll API key"),
)
LIMIT = 1.5  # x the bare ModalScreen


def _press(session: PtySession, key: bytes, marker: bytes) -> float:
    """Seconds from writing `key` to `marker` on the terminal; then escape and settle."""
    session.settle()
    sent = session.send(key)
    seconds = session.wait_for(marker) - sent
    session.send(b"\x1b")
    return seconds


Result = tuple[str, list[float], list[float], list[float]]


def measure(presses: int) -> list[Result]:
    """Per key: (what, floor times, ticos times, ticos-without-kept-dialogs times); the first of
    each list is the cold press."""
    from benchmarks.startup import ticos_command

    tmp = Path(tempfile.mkdtemp(prefix="ticos-dialogs-bench-"))
    try:
        data_dir = tmp / "data"
        seed_data_dir(data_dir, KEYS_COUNT)
        script = tmp / "floor.py"
        script.write_text(FLOOR_APP)
        floor = PtySession([sys.executable, str(script)], isolated_env(tmp))
        ticos = PtySession(ticos_command(), isolated_env(tmp, data_dir))
        # The same app with every dialog built anew on each opening (benchmarks/without.py).
        anew = PtySession(
            [sys.executable, "-m", "benchmarks.without", "kept"], isolated_env(tmp, data_dir)
        )
        try:
            floor.wait_for(b"floor ready")
            ticos.wait_for(f"{KEYS_COUNT} keys".encode())
            anew.wait_for(f"{KEYS_COUNT} keys".encode())
            results = []
            for key, what, marker in PRESSES:
                floor_times: list[float] = []
                ticos_times: list[float] = []
                anew_times: list[float] = []
                for _ in range(presses + 1):
                    floor_times.append(_press(floor, key, f"Floor dialog {key.decode()}".encode()))
                    ticos_times.append(_press(ticos, key, marker))
                    anew_times.append(_press(anew, key, marker))
                results.append((what, floor_times, ticos_times, anew_times))
            return results
        finally:
            floor.close()
            ticos.close()
            anew.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(results: list[Result], presses: int) -> None:
    rows = []
    for what, floor_times, ticos_times, anew_times in results:
        floor_median = statistics.median(floor_times[1:])
        ticos_median = statistics.median(ticos_times[1:])
        anew_median = statistics.median(anew_times[1:])
        ratio = ticos_median / floor_median
        rows.append(
            (
                what,
                _ms(ticos_median),
                _ms(floor_median),
                f"{ratio:.2f}x",
                _ms(ticos_times[0]),
                _ms(floor_times[0]),
                f"{ticos_times[0] / floor_times[0]:.2f}x",
                _ms(anew_median),
                f"{anew_median / ticos_median:.2f}x",
                f"<= {LIMIT}x: {verdict(ratio, LIMIT)}",
            )
        )
    print_table(
        f"Dialogs: key press to the dialog on a {COLUMNS}x{LINES} pty, embedded mode, "
        f"{KEYS_COUNT} keys, median of {presses} presses after a cold one, screen settled "
        f"before each\nmachine: {machine()}",
        (
            "press",
            "ticos ms",
            "bare ModalScreen ms",
            "ratio",
            "cold ms",
            "bare cold ms",
            "cold ratio",
            "built anew ms",
            "anew / kept",
            "target",
        ),
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--presses", type=int, default=7, help="timed presses per key (median)")
    parser.add_argument("--quick", action="store_true", help="3 presses per key")
    args = parser.parse_args([] if argv is None else argv)
    presses = 3 if args.quick else max(args.presses, 1)
    report(measure(presses), presses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
