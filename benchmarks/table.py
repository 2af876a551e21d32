"""Table benchmark: the keys table at 10,000 keys (filter, sort, UI stall, peak RSS) against DataTable.

- Keystrokes, as a user has them: `ticos-tui` (embedded, 10,000 keys) on a 120x35 pty. Once
  "10000 keys" is drawn, keys are written to the terminal one at a time and timed until the
  bytes of the repainted screen that prove the change come back: the count label
  ("111 of 10000 match “key 99”") for a filter keystroke, the sorted column's header
  ("Name ▲") for `s`. This includes Textual's key parsing, the Input, the filter or sort over
  10,000 keys, rendering the visible lines, the wait for the next frame tick (60 fps), and
  writing the frame. The floor is a bare Textual app with one Input echoing its value into a
  Label, typed the same way in the same run.
- ticos in-process: the real app (`make_app`, embedded service) under `App.run_test()` at
  120x35. While the 10,000 keys load, a Textual timer ticks every 10 ms in the app's own message
  loop (where key presses are handled) and an asyncio task sleeps 10 ms at a time: the largest gap
  between ticks, less the 10 ms, is the UI stall: counted from the first page on screen (the
  pane's KeysShown) to the last page in, and, apart, before that (the screen composed and drawn
  at start-up, which no key press can reach yet, not keys loading). The pure work of a keystroke (setting `filter_text` /
  `sort_column` + `render_line` of every visible line) is timed too. Peak RSS is this child's.
  (Pilot's press + pause is not used for timings: it waits for the CPU to go idle, ~140 ms here.)
- datatable: Textual's DataTable in the same harness, 10,000 six-column rows added then
  rendered; `clear()` and a 10% subset re-added; a sort by one column. The floor and the trap.
- paging: the client in embedded mode pages through 10,000 keys with limit=1000.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

KEYS = 10_000
FILTER_TEXT = "key 99"  # typed one key at a time, then erased: 12 filter changes
# What proves each `s` was drawn, from the default (created): the sorted column's header, or at
# 120 columns, where Created is hidden, the Name header naming the sort.
SORT_HEADERS = ("Name ▲", "Last Used ▼", "Status ▲", "Expires ▲", "Created ▼")
BARE_INPUT_APP = """
from textual.app import App
from textual.widgets import Input, Label


class Bare(App[None]):
    def compose(self):
        yield Input(placeholder="type here")
        yield Label("ready", id="echo")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#echo", Label).update(f"«{event.value}»" if event.value else "empty")


Bare().run()
"""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(data_dir: Path) -> Any:
    from ticos_tui.settings.config import resolve_settings

    return resolve_settings(data_dir=data_dir)  # the parent gave us an isolated environment


async def _ticos(data_dir: Path, repeat: int) -> dict[str, Any]:
    from textual import on

    from ticos_tui.tui.api_keys.pane import ApiKeysPane
    from ticos_tui.tui.api_keys.table import ApiKeysTable
    from ticos_tui.tui.app import TicosApp

    ticks: list[float] = []
    loop_ticks: list[float] = []
    loading = True
    shown_at: list[float] = []

    class ProbedApp(TicosApp):
        CSS_PATH = str(Path(inspect.getfile(TicosApp)).with_name(str(TicosApp.CSS_PATH)))

        def on_mount(self) -> None:
            # Runs before TicosApp.on_mount (Textual calls each class's handler): ticks from the start.
            self.set_interval(0.01, lambda: ticks.append(time.perf_counter()))

        @on(ApiKeysPane.KeysShown)
        def _shown(self) -> None:
            shown_at.append(time.perf_counter())

    async def loop_probe() -> None:
        while loading:
            loop_ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    from ticos_tui.wiring import open_client

    pages = 0

    def counted_client() -> Any:
        """The embedded client, counting the pages the app asks for (one request each)."""
        client = open_client(_settings(data_dir))
        walk = client.iter_key_pages

        async def iter_key_pages(**kw: Any) -> Any:
            nonlocal pages
            async for page in walk(**kw):
                pages += 1
                yield page

        client.iter_key_pages = iter_key_pages  # type: ignore[method-assign]
        return client

    app = ProbedApp(_settings(data_dir), client_factory=counted_client)
    started = time.perf_counter()
    probe = asyncio.create_task(loop_probe())
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        while not app.screen.query(ApiKeysPane):  # the settings screen is pushed on mount
            await asyncio.sleep(0.005)
        pane = app.screen.query_one(ApiKeysPane)
        table = app.screen.query_one(ApiKeysTable)
        while not (pane.loaded and table.total == KEYS):
            await asyncio.sleep(0.005)
        loaded_at = time.perf_counter()
        loading = False
        await probe
        await pilot.pause()

        def gaps(stamps: list[float], start: float = 0.0, end: float = loaded_at) -> float:
            """The longest gap between ticks in [start, end], less the 10 ms interval."""
            stamps = [start] * bool(start) + [t for t in stamps if start <= t <= end] + [end]
            return max(b - a for a, b in itertools.pairwise(stamps)) - 0.01

        visible = table.scrollable_content_region.height

        def render_visible() -> None:
            for y in range(visible):
                table.render_line(y)

        table.focus()
        await pilot.pause()
        pure_filter = []
        for _ in range(repeat):
            for end in [*range(1, len(FILTER_TEXT) + 1), *range(len(FILTER_TEXT) - 1, -1, -1)]:
                t0 = time.perf_counter()
                table.filter_text = FILTER_TEXT[:end]
                render_visible()
                pure_filter.append(time.perf_counter() - t0)

        pure_sort = []
        for _ in range(repeat):
            for column in ("name", "last_used", "status", "expires", "created"):
                t0 = time.perf_counter()
                table.sort_column = column
                render_visible()
                pure_sort.append(time.perf_counter() - t0)

    return {
        "load_s": loaded_at - started,
        "pages": pages,
        # Start-up (the screen composed and drawn, the first page shown), then the other pages.
        "stall_start_s": gaps(ticks, end=shown_at[0]),
        "stall_timer_s": gaps(ticks, start=shown_at[0]),
        "stall_loop_s": gaps(loop_ticks, start=shown_at[0]),
        "pure_filter_s": pure_filter,
        "pure_sort_s": pure_sort,
        "visible_lines": visible,
        "rss_mb": _peak_rss_mb(),
    }


async def _datatable(repeat: int) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    rows = [
        (f"bench key {i}", f"tk_ab{i % 97:02d}…wxyz", "just now", "Never", "active", "Full access")
        for i in range(KEYS)
    ]
    subset = rows[::10]
    add_times, subset_times, sort_times = [], [], []
    app = TableApp()
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        table = app.query_one(DataTable)
        for _ in range(repeat):
            table.clear(columns=True)
            await pilot.pause()
            t0 = time.perf_counter()
            table.add_columns("Name", "Key", "Created", "Last Used", "Status", "Scopes")
            table.add_rows(rows)
            await pilot.pause()
            add_times.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            table.clear()
            table.add_rows(subset)
            await pilot.pause()
            subset_times.append(time.perf_counter() - t0)

            table.clear()
            table.add_rows(rows)
            await pilot.pause()
            t0 = time.perf_counter()
            table.sort(table.ordered_columns[0].key)
            await pilot.pause()
            sort_times.append(time.perf_counter() - t0)
    return {
        "add_s": add_times,
        "subset_s": subset_times,
        "sort_s": sort_times,
        "rss_mb": _peak_rss_mb(),
    }


async def _paging(data_dir: Path, repeat: int) -> dict[str, Any]:
    from ticos_tui.wiring import open_client

    client = await asyncio.to_thread(open_client, _settings(data_dir))
    times = []
    pages: list[list[Any]] = []
    async with client:
        for _ in range(repeat + 1):  # the first run warms the SQLite pages and caches
            t0 = time.perf_counter()
            pages = [page async for page in client.iter_key_pages(page_size=1000)]
            times.append(time.perf_counter() - t0)
    return {"paging_s": times[1:], "count": sum(map(len, pages)), "pages": len(pages)}


def _type(
    session: PtySession, text: str, echo: Callable[[str], bytes], empty: bytes
) -> list[float]:
    """Type `text` one key at a time, then erase it; each key timed until `echo` of the value."""
    times = []
    for end in range(1, len(text) + 1):
        char = text[end - 1]
        sent = session.send(char.encode())
        times.append(session.wait_for(echo(text[:end])) - sent)
    for end in range(len(text) - 1, -1, -1):
        sent = session.send(b"\x7f")
        times.append(session.wait_for(echo(text[:end]) if end else empty) - sent)
    return times


def _settle(session: PtySession) -> None:
    """Give an untimed key (escape waits for a possible escape sequence) time to be drawn."""
    time.sleep(0.5)
    session.send(b"")


def _interactive(data_dir: Path, repeat: int) -> dict[str, list[float]]:
    from benchmarks.startup import ticos_command

    tmp = data_dir.parent
    script = tmp / "bare_input.py"
    script.write_text(BARE_INPUT_APP)
    bare = PtySession([sys.executable, str(script)], isolated_env(tmp))
    try:
        bare.wait_for(b"type here")
        bare_times = []
        for _ in range(repeat):
            bare_times += _type(bare, FILTER_TEXT, lambda v: f"«{v}»".encode(), b"empty")
    finally:
        bare.close()

    app = PtySession(ticos_command(), isolated_env(tmp, data_dir))
    try:
        app.wait_for(b"10000 keys")
        filter_times, sort_times = [], []
        for _ in range(repeat):
            app.send(b"/")
            app.wait_for(b"Filter by name")
            filter_times += _type(
                app,
                FILTER_TEXT,
                lambda v: f"match “{v}”".encode(),
                b"10000 keys",
            )
            app.send(b"\x1b")  # escape: clear the filter, back to the list
            _settle(app)
            for header in SORT_HEADERS:
                sent = app.send(b"s")
                if header is None:
                    _settle(app)
                else:
                    sort_times.append(app.wait_for(header.encode()) - sent)
    finally:
        app.close()
    return {"bare_key_s": bare_times, "filter_key_s": filter_times, "sort_key_s": sort_times}


def _child(part: str, data_dir: Path, repeat: int) -> None:
    if part == "ticos-all-here":
        # The same app with every page of keys read on the event loop (HERE_PAGE taken out):
        # what reading big pages on a reader thread buys, measured in the same run.
        from ticos_tui.service.store import sqlite_async

        sqlite_async.HERE_PAGE = 10**9
        part = "ticos"
    if part == "ticos":
        result = asyncio.run(_ticos(data_dir, repeat))
    elif part == "datatable":
        result = asyncio.run(_datatable(repeat))
    else:
        result = asyncio.run(_paging(data_dir, repeat))
    print(json.dumps(result))


def _run_child(part: str, data_dir: Path, repeat: int) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.table",
            "--child",
            part,
            "--data-dir",
            str(data_dir),
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=isolated_env(data_dir.parent, data_dir),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"table benchmark part {part!r} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _stats(values: list[float]) -> str:
    return f"{_ms(statistics.median(values))} / {_ms(max(values))}"


def report(
    ticos: dict[str, Any],
    floor: dict[str, Any],
    paging: dict[str, Any],
    keys: dict[str, list[float]],
    repeat: int,
) -> None:
    med = statistics.median
    dt_add, dt_subset, dt_sort = med(floor["add_s"]), med(floor["subset_s"]), med(floor["sort_s"])
    bare_key = med(keys["bare_key_s"])
    filt, sort = keys["filter_key_s"], keys["sort_key_s"]
    paged = med(paging["paging_s"])
    rows = [
        (
            "bare Textual Input: keystroke to repaint on a pty (floor)",
            _stats(keys["bare_key_s"]),
            "1.00x",
            "floor",
            "",
        ),
        (
            f"ticos-tui: filter keystroke to repaint on a pty (n={len(filt)})",
            _stats(filt),
            f"{med(filt) / bare_key:.2f}x",
            "<= 50 ms",
            verdict(med(filt) * 1000, 50),
        ),
        (
            f"ticos-tui: sort (s) to repainted header on a pty (n={len(sort)})",
            _stats(sort),
            f"{med(sort) / bare_key:.2f}x",
            "<= 100 ms",
            verdict(med(sort) * 1000, 100),
        ),
        (
            "  of which filter_text + render visible lines",
            _stats(ticos["pure_filter_s"]),
            "",
            "",
            "",
        ),
        ("  of which sort_column + render visible lines", _stats(ticos["pure_sort_s"]), "", "", ""),
        (
            "ticos: UI stall while the keys after the first page load (10 ms Textual timer)",
            _ms(ticos["stall_timer_s"]),
            "",
            "<= 50 ms",
            verdict(ticos["stall_timer_s"] * 1000, 50),
        ),
        (
            "  same run, every page read on the event loop (HERE_PAGE out)",
            _ms(ticos["all_here"]["stall_timer_s"]),
            f"{ticos['all_here']['stall_timer_s'] / ticos['stall_timer_s']:.2f}x shipped",
            "",
            "",
        ),
        (
            "ticos: event-loop stall while they load (asyncio)",
            _ms(ticos["stall_loop_s"]),
            "",
            "",
            "",
        ),
        (
            "ticos: UI stall before, in start-up (screen composed, first page drawn)",
            _ms(ticos["stall_start_s"]),
            "",
            "",
            "",
        ),
        (
            f"ticos: load 10,000 keys in run_test ({ticos['pages']} pages)",
            _ms(ticos["load_s"]),
            f"{ticos['load_s'] / dt_add:.2f}x DT add",
            "",
            "",
        ),
        (
            "  same run, every page read on the event loop (HERE_PAGE out)",
            _ms(ticos["all_here"]["load_s"]),
            f"{ticos['all_here']['load_s'] / ticos['load_s']:.2f}x shipped",
            "",
            "",
        ),
        (
            "ticos: peak RSS MB (run_test, embedded service in-process)",
            f"{ticos['rss_mb']:.0f}",
            f"{ticos['rss_mb'] / floor['rss_mb']:.2f}x DT",
            "<= 120 MB",
            verdict(ticos["rss_mb"], 120),
        ),
        ("DataTable: add 10,000 six-column rows + render (trap)", _ms(dt_add), "", "", ""),
        ("DataTable: clear + re-add 10% + render", _ms(dt_subset), "", "", ""),
        ("DataTable: sort by one column + render", _ms(dt_sort), "", "", ""),
        ("DataTable: peak RSS MB (run_test)", f"{floor['rss_mb']:.0f}", "", "", ""),
        (
            f"embedded client: page {paging['count']:,} keys, limit=1000 ({paging['pages']} pages)",
            _ms(paged),
            "",
            "<= 500 ms",
            verdict(paged * 1000, 500),
        ),
    ]
    print_table(
        f"Keys table at {KEYS:,} keys, {COLUMNS}x{LINES}, {repeat} round(s); filter typed: "
        f"{FILTER_TEXT!r} then erased; times in ms as median / max (verdicts on the median)\nmachine: {machine()}",
        ("what", "ms (or MB)", "x floor", "target", "verdict"),
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each interaction")
    parser.add_argument("--quick", action="store_true", help="one round of each")
    parser.add_argument(
        "--child",
        choices=("ticos", "ticos-all-here", "datatable", "paging"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args([] if argv is None else argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    if args.child:
        _child(args.child, args.data_dir, repeat)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="ticos-table-bench-"))
    try:
        data_dir = tmp / "data"
        seed_data_dir(data_dir, KEYS)
        floor = _run_child("datatable", data_dir, repeat)
        ticos = _run_child("ticos", data_dir, repeat)
        ticos["all_here"] = _run_child("ticos-all-here", data_dir, repeat)
        paging = _run_child("paging", data_dir, max(repeat, 3))
        keys = _interactive(data_dir, repeat)
        report(ticos, floor, paging, keys, repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
