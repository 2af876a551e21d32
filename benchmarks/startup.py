"""Startup benchmark: `ticos-tui` from exec to keys on screen, against a bare Textual app in the same run.

Every figure is a whole process on a 120x35 pseudo-terminal (median of N runs after a warm-up).
"on screen" is when the bytes that draw it come out of the pty master, timed on this side: the
header ("◆ Ticos") for "first frame", the first key's name for "keys on screen" and "first
screenful", the count label "10000 keys" for "all browsable". "exit"
is when the process has been reaped. A last table runs the benchmark's own subclass of the app
(`benchmarks/ready_app.py`), which exits on the frame after the pane says its keys are shown or
all loaded, so that exit time includes Textual's shutdown. The floor is a Textual app that mounts one Label and exits after its
first frame, timed the same two ways.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import (
    COLUMNS,
    KEY_NAME_PREFIX,
    LINES,
    PtyRun,
    isolated_env,
    machine,
    print_table,
    run_in_pty,
    run_plain,
    seed_data_dir,
    verdict,
)

BARE_APP = """
from textual.app import App
from textual.widgets import Label


class Bare(App[None]):
    def compose(self):
        yield Label("bare textual ready")

    def on_mount(self) -> None:
        self.call_after_refresh(self.exit)


Bare().run()
"""
BARE_MARKER = b"bare textual ready"
KEYS_MARKER = KEY_NAME_PREFIX.encode()  # any key's name: keys are on screen
FRAME_MARKER = "◆ Ticos".encode()  # the header: the first frame of the screen's chrome
ALL_MARKER = b"10000 keys"  # the count label once the last page is in


@dataclass
class Figure:
    what: str
    seen: float  # median seconds from exec to the marker on the terminal
    exited: float = 0.0  # median seconds from exec to the process reaped (0: not a pty run)
    rss_mb: float = 0.0
    missed: int = 0  # runs that exited without ever drawing the marker (not in the median)
    target: str = ""
    limit: float | None = None


def ticos_command() -> list[str]:
    script = Path(sys.executable).parent / "ticos-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ticos_tui"]


def _runs(
    what: str, run: Callable[[], PtyRun], runs: int, needed: Sequence[bytes]
) -> tuple[list[PtyRun], int]:
    """`runs` runs that drew every `needed` marker, after a warm-up; and how many did not."""
    run()  # warm-up: page cache, .pyc files, SQLite pages
    good: list[PtyRun] = []
    missed = 0
    while len(good) < runs:
        r = run()
        if r.returncode != 0:
            tail = r.output[-400:].decode("utf-8", "replace")
            raise RuntimeError(f"{what}: exit status {r.returncode}: {tail!r}")
        if all(m in r.seen for m in needed):
            good.append(r)
        else:
            missed += 1
            if missed > runs:
                raise RuntimeError(f"{what}: markers never reached the terminal in {missed} runs")
    return good, missed


def _figure(what: str, good: list[PtyRun], marker: bytes, missed: int = 0) -> Figure:
    return Figure(
        what,
        statistics.median(r.seen[marker] for r in good),
        statistics.median(r.exited for r in good),
        max(r.max_rss_mb for r in good),
        missed,
    )


def median_plain(argv: list[str], env: dict[str, str], runs: int) -> float:
    run_plain(argv, env)
    return statistics.median(run_plain(argv, env) for _ in range(runs))


def measure(runs: int) -> tuple[list[Figure], list[tuple[str, ...]]]:
    """The figures, and rows on the ready app (`benchmarks.ready_app`) exiting when keys are up."""
    tmp = Path(tempfile.mkdtemp(prefix="ticos-startup-bench-"))
    try:
        bare_script = tmp / "bare_textual.py"
        bare_script.write_text(BARE_APP)
        dirs = {}
        for count in (100, 10_000):
            dirs[count] = tmp / f"data-{count}"
            seed_data_dir(dirs[count], count)
        env = isolated_env(tmp)
        py = sys.executable
        cmd = ticos_command()
        figures = [
            Figure("python -c pass", median_plain([py, "-c", "pass"], env, runs)),
            Figure(
                'python -c "import textual.app"',
                median_plain([py, "-c", "import textual.app"], env, runs),
            ),
        ]
        good, _ = _runs(
            "bare",
            lambda: run_in_pty([py, str(bare_script)], env, [BARE_MARKER]),
            runs,
            [BARE_MARKER],
        )
        bare = _figure("bare Textual app, one Label (floor)", good, BARE_MARKER)
        bare.target = "floor"
        figures.append(bare)

        # Timed from the terminal's side, then hung up: the app runs exactly as for a user.
        env_100 = isolated_env(tmp, dirs[100])
        marks = [FRAME_MARKER, KEYS_MARKER]
        good, _ = _runs(
            "100 keys",
            lambda: run_in_pty(cmd, env_100, marks, hang_up_when_seen=True),
            runs,
            marks,
        )
        frame = _figure("ticos-tui, 100 keys: first frame (the header)", good, FRAME_MARKER)
        frame.target, frame.limit = "<= 1.3x", 1.3 * bare.seen
        keys = _figure("ticos-tui, 100 keys: keys on screen", good, KEYS_MARKER)
        keys.target, keys.limit = "<= 1.5x", 1.5 * bare.seen
        figures += [frame, keys]

        # One run gives both 10,000-key figures: the first key drawn, then the final count.
        env_10k = isolated_env(tmp, dirs[10_000])
        both = [KEYS_MARKER, ALL_MARKER]
        good, _ = _runs(
            "10,000 keys",
            lambda: run_in_pty(cmd, env_10k, both, hang_up_when_seen=True),
            runs,
            both,
        )
        first = _figure("ticos-tui, 10,000 keys: first screenful", good, KEYS_MARKER)
        first.target, first.limit = "<= 1.5x", 1.5 * bare.seen
        every = _figure("ticos-tui, 10,000 keys: all browsable", good, ALL_MARKER)
        every.target, every.limit = "<= 2x + 0.5 s", 2 * bare.seen + 0.5
        figures += [first, every]

        # The ready app: does it exit on the frame the pane's messages promise, and when?
        hooks = []
        checks = max(3, runs // 2)
        for count, ready, marker in (
            (100, "first", KEYS_MARKER),
            (10_000, "first", KEYS_MARKER),
            (10_000, "all", ALL_MARKER),
        ):
            hook_env = isolated_env(tmp, dirs[count])
            hook_cmd = [py, "-m", "benchmarks.ready_app", ready]
            results = [run_in_pty(hook_cmd, hook_env, [marker]) for _ in range(checks)]
            hooks.append(
                (
                    f"{count:,} keys, ready_app {ready}",
                    f"{statistics.median(r.exited for r in results):.3f}",
                    f"{sum(marker in r.seen for r in results)} of {checks}",
                    f"{sum(r.ready is not None for r in results)} of {checks}",
                )
            )
        return figures, hooks
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(figures: list[Figure], hooks: list[tuple[str, ...]], runs: int) -> None:
    bare = next(f for f in figures if f.target == "floor")
    rows = []
    for f in figures:
        target = f.target
        if f.limit is not None:
            target = f"{f.target} ({f.limit:.3f} s): {verdict(f.seen, f.limit)}"
        rows.append(
            (
                f.what,
                f"{f.seen:.3f}",
                f"{f.seen / bare.seen:.2f}x",
                f"{f.rss_mb:.0f}" if f.rss_mb else "-",
                target,
            )
        )
    print_table(
        f"Startup: exec to on screen, whole process on a {COLUMNS}x{LINES} pty, embedded mode, "
        f"median of {runs} runs after a warm-up\nmachine: {machine()}",
        ("what", "seconds", "x floor", "peak RSS MB", "target"),
        rows,
    )
    print_table(
        f"The ready app's exit (bare Textual exits after its first frame in {bare.exited:.3f} s)",
        ("run", "exit s", "drew it before exiting", "READY line on the terminal"),
        hooks,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="measured runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs per figure")
    args = parser.parse_args([] if argv is None else argv)
    runs = 3 if args.quick else max(args.runs, 1)
    figures, hooks = measure(runs)
    report(figures, hooks, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
