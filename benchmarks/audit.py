"""What writing audit events costs: a key change with its event, against the same change's
floor measured in the same run (SQLite store, blocking calls, no HTTP).

Floors: the store's own key insert (`_insert_key`) in one transaction with no event (the store
has no bulk loader: that lives in tests/seeding.py); an event written alone (`record_throttled`: one transaction, one insert) shows what an
event costs by itself. Roll has no event-free path, so it is shown against the create floor.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._common import machine, print_table, verdict
from ticos_tui.service.store.rolls import NewKey, Roll

CREATE_LIMIT = 2.0  # a create with its event: at most twice the bare insert


def _per_op(fn: Callable[[], object], ops: int) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        for _ in range(ops):
            fn()
        return (time.perf_counter() - started) / ops

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer operations")
    args = parser.parse_args(argv)
    ops, runs = (50, 5) if args.quick else (200, 15)

    from ticos_tui.core.keyformat import secret_hash
    from ticos_tui.service.audit import Actor
    from ticos_tui.service.store.sqlite import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "data")
        account = store.create_account("Bench", "bench@example.com")
        token = store.issue_session_token(account)
        actor = Actor(token_hash=secret_hash(token), client="127.0.0.1")
        rollable: list[str] = []

        def create() -> None:
            created, _ = store.create_key(account, NewKey("bench", ["*"]), actor)
            rollable.append(created["id"])

        def bare_insert() -> None:
            with store._write() as conn:
                store._insert_key(conn, account, NewKey("bench", ["*"]), store.now())

        def roll() -> None:
            if not rollable:
                create()
            rolled = store.roll_key(account, rollable.pop(), Roll(0), actor)
            assert rolled is not None

        operations: dict[str, Callable[[], float]] = {
            "bare key insert (floor)": _per_op(bare_insert, ops),
            "event alone": _per_op(
                lambda: store.record_throttled("10.0.0.1", "auth", account, None), ops
            ),
            "create + key.created": _per_op(create, ops),
            "roll + key.rolled": _per_op(roll, ops),
        }
        # Rounds take each operation in turn, so a busy moment of a shared machine falls on
        # all of them alike; the medians of the rounds are compared.
        samples: dict[str, list[float]] = {name: [] for name in operations}
        for round_ in range(runs + 1):
            for name, run in operations.items():
                took = run()
                if round_:  # the first round warms up
                    samples[name].append(took)
        timings = {name: statistics.median(values) for name, values in samples.items()}
        store.close()
    floor = timings["bare key insert (floor)"]
    rows = [[name, f"{t * 1e6:.0f} µs", f"{t / floor:.2f}×"] for name, t in timings.items()]
    print(f"Machine: {machine()}")
    print_table(f"Audit events on SQLite ({ops} ops × {runs} runs, medians)",
                ["operation", "per op", "ratio to floor"], rows)  # fmt: skip
    ratio = timings["create + key.created"] / floor
    print(
        f"create with its event ≤ {CREATE_LIMIT:g}× the bare insert: {verdict(ratio, CREATE_LIMIT)}"
    )
    return 0 if ratio <= CREATE_LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
