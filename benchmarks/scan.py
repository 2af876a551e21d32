"""Leak-scan speed on a generated tree with planted keys, next to the floor of merely reading the bytes.

    .venv/bin/python -m benchmarks.scan            # 200 MB, 300 files, 100 keys
    .venv/bin/python -m benchmarks.scan --size-mb 50 --git

Prints MB/s, files/s and the ratio to the floor (reading the same files in
Python, and `grep -rc tk_` over the tree), then keys found vs planted and false
positives. The target is >= 50 MB/s with every key found and no false positive;
the exit status is 0 when it is met.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ticos_tui.cli.scan.detect import Finding, ScanStats
from ticos_tui.cli.scan.scanner import scan_paths
from ticos_tui.cli.scan.walk import iter_files
from ticos_tui.core.keyformat import BASE62, generate_key

TARGET_MB_S = 50.0
T = TypeVar("T")
_KEY_SHAPED = re.compile(rb"tk_[0-9A-Za-z]{38}")
Spot = tuple[str, int, str]  # (path relative to the tree, line, key)


def _line_pool(rng: random.Random) -> list[str]:
    """Code-like lines, heavy in base62 (hashes, ids, near-keys), so the regex has work to do."""

    def word(lo: int, hi: int) -> str:
        return "".join(rng.choices(BASE62, k=rng.randint(lo, hi)))

    pool = []
    for _ in range(20_000):
        kind = rng.random()
        if kind < 0.35:
            pool.append(f"    {word(3, 12)} = {word(3, 10)}({word(1, 8)}, {rng.randint(0, 9999)})")
        elif kind < 0.55:
            pool.append(f"# {' '.join(word(2, 9) for _ in range(rng.randint(3, 12)))}")
        elif kind < 0.70:
            pool.append(f'"{word(3, 10)}": "{word(20, 64)}",')  # tokens, hashes
        elif kind < 0.80:
            # Key look-alikes: right prefix, wrong length, checksum or boundary.
            body = word(38, 38)
            pool.append(
                rng.choice(
                    [
                        f"token = 'tk_{body}'",  # random checksum: wrong with p = 1 - 62**-6
                        f"x = tk_{word(20, 37)}",
                        f"y = tk_{word(39, 50)}",
                        f"z = a{generate_key()}",
                        f"w = {generate_key()}_",
                    ]
                )
            )
        else:
            pool.append(f"{word(0, 4)}{'    ' * rng.randint(0, 3)}{word(10, 70)};")
    return pool


def generate_tree(root: Path, *, size_mb: int, files: int, keys: int, seed: int) -> list[Spot]:
    """Write the tree; return where each key was planted (path relative to root, line, key)."""
    rng = random.Random(seed)
    pool = _line_pool(rng)
    avg_line = sum(map(len, pool)) / len(pool) + 1
    per_file = size_mb * 1_000_000 / files
    keys_per_file = Counter(rng.choices(range(files), k=keys))
    planted: list[Spot] = []
    for index in range(files):
        folder = f"pkg{index % 17}/mod{index % 5}"
        (root / folder).mkdir(parents=True, exist_ok=True)
        # Sizes vary from a tenth to twice the mean, like real trees.
        n_lines = max(10, int(per_file * rng.uniform(0.1, 1.9) / avg_line))
        lines = rng.choices(pool, k=n_lines)
        kind = {0: "bundle.min.js", 1: "blob.bin"}.get(index % 10, "source.py")
        rel = f"{folder}/{index:04d}-{kind}"
        for spot in sorted(rng.sample(range(n_lines), keys_per_file[index])):
            key = generate_key()
            lines[spot] = f"{lines[spot]} API_KEY='{key}'"
            # Minified and binary files have no newline: every key is on line 1.
            planted.append((rel, spot + 1 if kind == "source.py" else 1, key))
        if kind == "bundle.min.js":
            data = ";".join(lines).encode()
        elif kind == "blob.bin":
            data = b"\x00\x7f".join(line.encode() for line in lines)
        else:
            data = "\n".join(lines).encode()
        (root / rel).write_bytes(data)
    return planted


def _timed(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _read_all(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb", buffering=0) as fh:
            total += len(fh.read())
    return total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (defaults when `argv` is None, so a runner of all benchmarks can call it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=1126)
    parser.add_argument("--git", action="store_true", help="also scan it as a git work tree")
    args = parser.parse_args([] if argv is None else argv)

    tmp = Path(tempfile.mkdtemp(prefix="ticos-scan-bench-"))
    try:
        root = tmp / "tree"
        start = time.perf_counter()
        planted = generate_tree(
            root, size_mb=args.size_mb, files=args.files, keys=args.keys, seed=args.seed
        )
        generated_in = time.perf_counter() - start
        files = list(iter_files([str(root)]))
        candidates = sum(len(_KEY_SHAPED.findall(Path(p).read_bytes())) for p in files) - len(
            planted
        )
        total = _read_all(files)  # also warms the page cache for every row below
        print(
            f"tree: {len(files)} files, {total / 1e6:.1f} MB, {len(planted)} keys planted, "
            f"{candidates} look-alike candidates (tk_ + 38 chars) "
            f"(generated in {generated_in:.1f} s); median of {args.repeat} runs, warm cache"
        )

        rows: list[tuple[str, float, int]] = []
        read_s, _ = _timed(lambda: _read_all(files), args.repeat)
        rows.append(("floor: read every file (Python)", read_s, len(files)))
        grep_s = 0.0
        grep = shutil.which("grep")
        if grep:
            grep_s, _ = _timed(
                lambda: subprocess.run(
                    [grep, "-rc", "tk_", str(root)], capture_output=True, check=False
                ),
                args.repeat,
            )
            rows.append(("floor: grep -rc tk_", grep_s, len(files)))

        def scan_once() -> list[Finding]:
            return list(scan_paths([str(root)], stats=ScanStats()))

        scan_s, findings = _timed(scan_once, args.repeat)
        rows.append(("ticos-tui scan (in-process)", scan_s, len(files)))

        cli = [sys.executable, "-m", "ticos_tui", "scan", "--offline", str(root)]
        cli_s, _ = _timed(
            lambda: subprocess.run(cli, capture_output=True, check=False), args.repeat
        )
        rows.append(("ticos-tui scan --offline (process)", cli_s, len(files)))

        if args.git:
            git = ["git", "-C", str(root)]
            subprocess.run([*git, "init", "-q"], capture_output=True, check=True)
            subprocess.run([*git, "add", "-A"], capture_output=True, check=True)
            git_s, git_findings = _timed(scan_once, args.repeat)
            rows.append(("ticos-tui scan in a git work tree", git_s, len(files)))
            assert len(git_findings) == len(findings)

        print()
        head = f"{'what':<38} {'seconds':>8} {'MB/s':>8} {'files/s':>9} {'x read':>7} {'x grep':>7}"
        print(head)
        for name, seconds, count in rows:
            print(
                f"{name:<38} {seconds:>8.3f} {total / 1e6 / seconds:>8.0f} "
                f"{count / seconds:>9.0f} {seconds / read_s:>7.1f} "
                f"{seconds / grep_s if grep_s else float('nan'):>7.1f}"
            )

        found = Counter((os.path.relpath(f.path, root), f.line, f.key) for f in findings)
        expected = Counter(planted)
        hits = sum((found & expected).values())
        false_positives = sum((found - expected).values())
        mb_s = total / 1e6 / scan_s
        print()
        print(f"keys planted {len(planted)}, found {hits}, false positives {false_positives}")
        ok = mb_s >= TARGET_MB_S and hits == len(planted) and false_positives == 0
        verdict = "met" if ok else "NOT met"
        print(
            f"target >= {TARGET_MB_S:.0f} MB/s, all found, none false: {verdict} ({mb_s:.0f} MB/s)"
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
