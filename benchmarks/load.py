"""Load test of the served service: 50 clients mixing verify 80%, list 15%, create+revoke 5%.

Loopback only, bounded in time (at most 60 s, 20 s by default). For each store (SQLite, and
PostgreSQL with --database-url) prints requests served, p50/p99 per operation and the 5xx count,
then checks that no acknowledged write was lost: every key created with a 201 is listed, and is
revoked exactly when its revoke got a 200. With PostgreSQL, the same load also runs against two
instances over the one database (the scale row: how throughput grows with instances).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.loadgen import LoadResult, run_load


def report(label: str, result: LoadResult, clients: int) -> None:
    print(
        f"Load test · {label}: {clients} clients on loopback for {result.elapsed:.1f} s, verify 80% / list 15% / create+revoke 5%"
    )
    print(f"{'operation':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}")
    for op, t in result.timings.items():
        bad = sum(n for s, n in t.statuses.items() if s >= 500)
        print(
            f"{op:<10} {len(t.latencies):>9} {t.rps:>8.0f} {t.percentile(50) * 1000:>8.2f} {t.percentile(99) * 1000:>8.2f} {bad:>5}"
        )
    print(
        f"requests served: {result.served}  ({result.served / result.elapsed:.0f}/s); 5xx: {result.server_errors}"
    )
    print(
        f"writes acknowledged: {len(result.created)} creates, {len(result.revoked)} revokes; lost: {len(result.lost)}"
    )


def postgres_token(database_url: str, data_dir: Path) -> str:
    """A new account's session token in the database (`accounts create --database-url`)."""
    proc = subprocess.run(
        [sys.executable, "-m", "ticos_tui", "accounts", "create", "Load", "load@example.com",
         "--database-url", database_url, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, check=True, env=dict(os.environ),
    )  # fmt: skip
    return proc.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="at most 60")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TICOS_BENCH_DATABASE_URL"),
        help="also load this PostgreSQL database, with 1 and 2 instances",
    )
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="ticos-load-") as tmp:
        runs: list[tuple[str, dict[str, Any]]] = [("SQLite · 1 instance", {})]
        if args.database_url:
            token = postgres_token(args.database_url, Path(tmp) / "cli")
            pg = {"options": ["--database-url", args.database_url], "token": token}
            runs += [
                ("PostgreSQL · 1 instance", pg),
                ("PostgreSQL · 2 instances", {**pg, "instances": 2}),
            ]
        totals: dict[str, float] = {}
        for n, (label, how) in enumerate(runs):
            result = asyncio.run(
                run_load(Path(tmp) / f"data{n}", clients=args.clients, seconds=args.seconds, **how)
            )
            report(label, result, args.clients)
            totals[label] = result.served / result.elapsed
            failed = failed or bool(result.server_errors or result.lost)
        if "PostgreSQL · 2 instances" in totals:
            one, two = totals["PostgreSQL · 1 instance"], totals["PostgreSQL · 2 instances"]
            print(
                f"scale over one PostgreSQL: 1 instance {one:.0f}/s, 2 instances {two:.0f}/s ({two / one:.2f}x)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
