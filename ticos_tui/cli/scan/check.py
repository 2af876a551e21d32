"""Asking the configured service what became of each key found: one `verify` per distinct key."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ticos_tui.cli.scan.detect import Finding

if TYPE_CHECKING:
    from ticos_tui.core.models import VerifyResult

Verify = Callable[[str], Awaitable["VerifyResult"]]

# What a `valid: false` reason means for the person reading the report.
_REASONS = {
    "revoked": "revoked",
    "expired": "expired",
    "unknown": "unknown",
    "malformed": "unknown",
}


class Checked(NamedTuple):
    findings: list[Finding]
    problem: str | None  # why some keys stayed `unchecked`, said once


async def check_findings(
    findings: Sequence[Finding], verify: Verify, *, concurrency: int = 4
) -> Checked:
    """`findings` with `status` (and `key_id` when active) filled in by `verify`.

    Each distinct key is verified once. After the first failure (the service is down,
    rate-limits us, or answers nonsense) no further key is sent: the rest stay
    `unchecked` and `problem` says why.
    """
    keys = list(dict.fromkeys(f.key for f in findings))
    answers: dict[str, tuple[str, str | None]] = {}
    problem: str | None = None
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(key: str) -> None:
        nonlocal problem
        async with gate:
            if problem is not None:
                return
            try:
                result = await verify(key)
            except Exception as err:
                problem = _describe(err)
                return
        if result.valid:
            answers[key] = ("active", result.key_id)
        else:
            answers[key] = (_REASONS.get(result.reason or "", "unknown"), None)

    await asyncio.gather(*(one(key) for key in keys))
    checked = []
    for finding in findings:
        status, key_id = answers.get(finding.key, ("unchecked", None))
        checked.append(dataclasses.replace(finding, status=status, key_id=key_id))
    return Checked(checked, problem)


def _describe(err: Exception) -> str:
    from ticos_tui.core.errors import TicosError

    if isinstance(err, TicosError):
        return str(err) or type(err).__name__
    # Not the client's own error: its text could hold anything (even the request
    # body, which is the key), so only its type is shown.
    return f"unexpected {type(err).__name__} while verifying"
