"""`ticos-tui scan`: the run, the report, and the exit code pre-commit relies on.

Its options and help are in `ticos_tui.cli.scan.options`, which the CLI's parser loads without this.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from ticos_tui.cli.output import PROG, note, print_json
from ticos_tui.cli.scan.check import Checked
from ticos_tui.cli.scan.detect import STATUSES, Finding, ScanStats
from ticos_tui.cli.scan.history import HistoryUnavailable, toplevel
from ticos_tui.cli.scan.scanner import scan_paths
from ticos_tui.core.sanitize import visible

EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
# `verify` is the contract's one unauthenticated call, so the scan needs no login.
# A stand-in token keeps the resolver from reading stored logins (an OS keyring
# could prompt in the middle of a git commit) and the local service from issuing
# a session; the client sends no credential with `verify`.
_NO_TOKEN = "scan-verify-needs-no-token"  # noqa: S105 - not a credential


def run(args: argparse.Namespace) -> int:
    """Scan, verify, report; return the exit code (0 clean, 1 a live-or-unknown key, 2 usage)."""
    out, err = sys.stdout, sys.stderr
    paths: list[str] = list(args.paths) or ["."]
    base_url = getattr(args, "base_url", None)
    data_dir = getattr(args, "data_dir", None)

    for path in paths:
        if not os.path.exists(path):
            _say(err, f"no such file or folder: {visible(path)}")
            return EXIT_USAGE
        if args.history:
            try:
                toplevel(path if os.path.isdir(path) else os.path.dirname(path) or ".")
            except HistoryUnavailable as exc:
                _say(err, f"--history needs a git repository that git will read: {visible(exc)}")
                return EXIT_USAGE

    settings = None
    if not args.offline:
        from ticos_tui.core.errors import UsageError
        from ticos_tui.settings.config import resolve_settings

        try:
            settings = resolve_settings(base_url=base_url, data_dir=data_dir, token=_NO_TOKEN)
        except UsageError as exc:
            _say(err, visible(exc))
            return EXIT_USAGE

    stats = ScanStats()
    try:
        findings = list(
            scan_paths(paths, no_ignore=args.no_ignore, history=args.history, stats=stats)
        )
    except HistoryUnavailable as exc:
        _say(err, f"--history: {visible(exc)}")
        return EXIT_USAGE

    problem: str | None = None
    if findings:
        if settings is None:
            problem = "--offline was given"
        elif settings.mode == "embedded" and not settings.data_dir.exists():
            # Opening the local service here would make an empty one (a pre-commit run on a
            # machine where ticos-tui never ran) and call every key unknown to it.
            problem = (
                f"no ticos-tui data folder at {settings.data_dir} (looked at --data-dir, "
                "TICOS_HOME, config.toml's data_dir, then the default); check the keys against "
                "your server with --base-url URL, or run ticos-tui once with that folder"
            )
        else:
            import asyncio

            findings, problem = asyncio.run(_verify_with(settings, findings))

    revoke_flags = _revoke_flags(base_url, data_dir)
    for path, why in stats.unreadable:
        _say(err, f"cannot read {visible(path)}: {visible(why)}")
    if args.json:
        _print_json(out, findings, stats, problem, revoke_flags)
    else:
        _print_text(out, err, findings, stats, problem, revoke_flags)
    if stats.unreadable:
        # A file not read may hold a key: the scan cannot pass.
        count = len(stats.unreadable)
        _say(
            err, f"{count} not read (listed above), so the scan is incomplete: fix or exclude them"
        )
        return EXIT_FOUND
    return EXIT_FOUND if any(f.blocking for f in findings) else EXIT_CLEAN


async def _verify_with(settings: object, findings: list[Finding]) -> Checked:
    from ticos_tui.cli.scan.check import check_findings
    from ticos_tui.core.errors import TicosError
    from ticos_tui.wiring import open_client

    try:
        client = open_client(settings)  # type: ignore[arg-type]
    except TicosError as exc:
        return Checked(findings, str(exc))
    try:
        return await check_findings(findings, client.verify)
    finally:
        await client.aclose()


def revoke_command(finding: Finding, flags: str = "") -> str | None:
    if finding.status != "active" or not finding.key_id:
        return None
    return f"ticos-tui keys revoke {finding.key_id}{flags}"


def _revoke_flags(base_url: str | None, data_dir: str | None) -> str:
    import shlex

    flags = ""
    if base_url:
        flags += f" --base-url {shlex.quote(base_url)}"
    if data_dir:
        flags += f" --data-dir {shlex.quote(data_dir)}"
    return flags


def _print_text(
    out: TextIO,
    err: TextIO,
    findings: Sequence[Finding],
    stats: ScanStats,
    problem: str | None,
    revoke_flags: str,
) -> None:
    for finding in findings:
        line = f"{visible(finding)} {finding.status}"
        command = revoke_command(finding, revoke_flags)
        if command:
            line += f" — revoke it: {visible(command)}"
        out.write(line + "\n")
    out.flush()
    scanned = f"{_plural(stats.files, 'file')}, {_size(stats.bytes)}"
    if not findings:
        _say(err, f"no API keys found ({scanned})")
        return
    # A key is counted once however many places hold it (its status is the same in each).
    status_of = {f.key: f.status for f in findings}
    counts = Counter(status_of.values())
    breakdown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    places = "" if len(findings) == len(status_of) else f" in {_plural(len(findings), 'place')}"
    _say(err, f"{_plural(len(status_of), 'key')} found{places} ({breakdown}) in {scanned}")
    if problem:
        _say(err, f"keys not checked with the service: {visible(problem)}")
    if any(f.blocking for f in findings):
        _say(
            err,
            "remove these keys from the files (and from git history if they were committed) "
            "and revoke the ones that are active",
        )


def _print_json(
    out: TextIO,
    findings: Sequence[Finding],
    stats: ScanStats,
    problem: str | None,
    revoke_flags: str,
) -> None:
    document = {
        "findings": [
            {
                "source": f.source,
                "path": f.path if f.source == "file" else None,
                "line": f.line,
                "commit": f.commit,
                "tag": f.tag,
                "snippet": f.snippet,
                "status": f.status,
                "key_id": f.key_id,
                "revoke_command": revoke_command(f, revoke_flags),
            }
            for f in findings
        ],
        "files_scanned": stats.files,
        "bytes_scanned": stats.bytes,
        "unreadable": [{"path": p, "reason": why} for p, why in stats.unreadable],
        "unchecked_reason": problem,
    }
    print_json(document, file=out)


def _size(count: int) -> str:
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1e6:.1f} MB"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _say(stream: TextIO, message: str) -> None:
    note(f"{PROG} scan: {message}", file=stream)
