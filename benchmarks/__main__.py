"""`python -m benchmarks`: every benchmark in turn, each printing its table; `--quick` for fewer runs."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

# Each benchmark with the arguments of a normal run and of a quick one (explicit lists: a
# benchmark's own parser must never see this command's arguments).
BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("startup", [], ["--quick"]),
    ("dialogs", [], ["--quick"]),
    ("table", [], ["--quick"]),
    ("service", ["--seconds", "3"], ["--seconds", "1"]),
    ("audit", [], ["--quick"]),
    ("writes", [], ["--ops", "30", "--rounds", "2"]),
    ("scale", ["--seconds", "3"], ["--seconds", "1", "--sizes", "10000"]),
    ("scan", [], ["--size-mb", "50", "--repeat", "1"]),
    ("load", ["--seconds", "10"], ["--seconds", "3"]),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller inputs")
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="only these: " + ", ".join(b[0] for b in BENCHMARKS),
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    status = 0
    for name, normal, quick in BENCHMARKS:
        if args.names and name not in args.names:
            continue
        print(f"=== benchmarks.{name} {' '.join(quick if args.quick else normal)}".rstrip())
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"benchmarks.{name}":
                raise
            print(f"(skipped: benchmarks/{name}.py is not here yet)\n")
            continue
        entry = getattr(module, "main", None)
        if entry is None:
            print(f"(skipped: benchmarks/{name}.py has no main())\n")
            continue
        started = time.perf_counter()
        try:
            code = entry(list(quick if args.quick else normal))
        except Exception:
            traceback.print_exc()
            code = 1
        print(f"(benchmarks.{name}: {time.perf_counter() - started:.0f} s, exit {code})\n")
        status = status or (code or 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
