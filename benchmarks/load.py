"""Load test of the served service: 50 clients mixing verify 80%, list 15%, create+revoke 5%.

Loopback only, bounded in time (at most 60 s, 20 s by default). Prints requests served, p50/p99 per
operation and the 5xx count, then checks that no acknowledged write was lost: every key created
with a 201 is listed, and is revoked exactly when its revoke got a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from tests.loadgen import LoadResult, run_load


def report(result: LoadResult, clients: int) -> None:
    print(
        f"Load test: {clients} clients on loopback for {result.elapsed:.1f} s, verify 80% / list 15% / create+revoke 5%"
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="at most 60")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ticos-load-") as tmp:
        result = asyncio.run(
            run_load(Path(tmp) / "data", clients=args.clients, seconds=args.seconds)
        )
    report(result, args.clients)
    return 1 if result.server_errors or result.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
