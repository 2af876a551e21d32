"""`ticos-tui keys …`: list, create, rename, revoke, delete, roll, usage and review, one function each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ticos_tui.cli.connection import ask, require_confirmation, with_client
from ticos_tui.errors import UsageError
from ticos_tui.models import KEEP_LIFETIME, ApiKey, CreatedKey, UsageDay
from ticos_tui.output import note, print_json, say
from ticos_tui.present import (
    clip,
    created_text,
    describe,
    exact,
    expires_text,
    last_used_text,
    now_utc,
    quoted,
    relative,
    scopes_summary,
)
from ticos_tui.review import review_keys
from ticos_tui.sanitize import visible
from ticos_tui.usagechart import bar_chart, sparkline

if TYPE_CHECKING:
    from ticos_tui.client import TicosClient
    from ticos_tui.config import Settings

KEY_HEADER = ("ID", "NAME", "KEY", "STATUS", "SCOPES", "CREATED", "LAST USED", "EXPIRES")
NAME_CELLS = 40  # a long name is clipped, so the columns after it stay on one screen
SCOPES_CELLS = 40


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to the widest cell, in terminal cells (wide characters count 2)."""
    # Rich's width tables load only when a table is printed, not for `--help`.
    from rich.cells import cell_len

    cells = [[visible(c) for c in header]] + [[visible(c) for c in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        padded = [c + " " * (widths[i] - cell_len(c)) for i, c in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return lines


def _key_row(key: ApiKey, now: datetime) -> list[str]:
    return [
        key.id,
        clip(visible(key.name), NAME_CELLS),
        key.snippet,
        key.status,
        scopes_summary(key, width=SCOPES_CELLS),
        created_text(key, now),
        last_used_text(key, now),
        expires_text(key, now),
    ]


def _print_created(args: argparse.Namespace, created: CreatedKey) -> None:
    """The new secret alone on stdout (or in a JSON object): what `KEY=$(…)` captures."""
    if args.json:
        print_json({**created.api_key.to_json(), "key": created.key})
    else:
        print(created.key, file=sys.stdout, flush=True)


def keys_list(args: argparse.Namespace) -> int:
    async def fetch(client: TicosClient, _: Settings) -> list[ApiKey]:
        return await client.list_keys(status=args.status)

    keys = with_client(args, fetch)
    if args.format == "json":
        print_json([k.to_json() for k in keys])
    elif args.format == "jsonl":
        for key in keys:
            print_json(key.to_json(), indent=None)
    elif not keys:
        note("No keys." if args.status == "all" else f"No {args.status} keys.")
    else:
        now = now_utc()
        say("\n".join(_table(KEY_HEADER, [_key_row(key, now) for key in keys])))
    return 0


def _expires_at(span: timedelta) -> datetime:
    """The moment an `--expires-in` span from now ends (whole seconds, as the server keeps them)."""
    return now_utc().replace(microsecond=0) + span


def keys_create(args: argparse.Namespace) -> int:
    expires_at = _expires_at(args.expires_in) if args.expires_in else None

    async def create(client: TicosClient, _: Settings) -> CreatedKey:
        return await client.create_key(args.name, scopes=args.scopes, expires_at=expires_at)

    created = with_client(args, create)
    _print_created(args, created)
    key = created.api_key
    expiry = f", expires {exact(key.expires_at)}" if key.expires_at else ""
    note(
        f"Created key {describe(key)} with {scopes_summary(key)}{expiry}.\n"
        "The full key is on stdout and is never shown again: store it now."
    )
    return 0


def keys_rename(args: argparse.Namespace) -> int:
    async def rename(client: TicosClient, _: Settings) -> ApiKey:
        return await client.rename_key(args.id, args.name)

    key = with_client(args, rename)
    if args.json:
        print_json(key.to_json())
    note(f"Renamed key {key.id} to {quoted(key.name)}.")
    return 0


def _destroy(args: argparse.Namespace, verb: str, consequence: str) -> int:
    """Revoke or delete a key, asking first unless --yes; the confirmation names the key."""
    require_confirmation(args, verb)

    async def run(client: TicosClient, _: Settings) -> tuple[str, ApiKey | None]:
        described = args.id
        if not args.yes:
            key = await client.get_key(args.id)
            described = describe(key)
            if not ask(f"{verb.capitalize()} key {described}? {consequence}"):
                raise UsageError(f"not confirmed; nothing was {verb}d")
        if verb == "revoke":
            revoked = await client.revoke_key(args.id)
            return describe(revoked), revoked
        await client.delete_key(args.id)
        return described, None

    described, key = with_client(args, run)
    if key is not None and getattr(args, "json", False):
        print_json(key.to_json())
    note(f"{verb.capitalize()}d key {described}. {consequence}")
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    return _destroy(args, "revoke", "Anything using it fails from the next request on.")


def keys_delete(args: argparse.Namespace) -> int:
    return _destroy(args, "delete", "It stops working now and disappears from every list for good.")


def keys_roll(args: argparse.Namespace) -> int:
    grace = int(args.grace.total_seconds())
    expires_at = _expires_at(args.expires_in) if args.expires_in else KEEP_LIFETIME

    async def roll(client: TicosClient, _: Settings) -> CreatedKey:
        return await client.roll_key(args.id, grace_seconds=grace, expires_at=expires_at)

    created = with_client(args, roll)
    _print_created(args, created)
    old = (
        "The old key stopped working now."
        if grace == 0
        else f"The old key keeps working until {exact(now_utc() + args.grace)}."
    )
    new_expiry = created.api_key.expires_at
    expiry = f"expires {exact(new_expiry)}" if new_expiry else "never expires"
    note(
        f"Rolled key {args.id}: the new key is {describe(created.api_key)}. {old} "
        f"The new key {expiry}.\n"
        "The new key is on stdout and is never shown again: store it now."
    )
    return 0


def keys_usage(args: argparse.Namespace) -> int:
    async def fetch(client: TicosClient, _: Settings) -> tuple[ApiKey, list[UsageDay]]:
        return await client.get_key(args.id), await client.usage(args.id, days=args.days)

    key, days = with_client(args, fetch)
    if args.json:
        print_json([{"date": d.date.isoformat(), "requests": d.requests} for d in days])
        return 0
    total = sum(d.requests for d in days)
    last = (
        f"{relative(key.last_used_at)} ({exact(key.last_used_at)})" if key.last_used_at else "never"
    )
    say(f"Requests per day for key {describe(key)}, last {len(days)} days")
    say(sparkline([d.requests for d in days]))
    say()
    say("\n".join(bar_chart(days)))
    say()
    say(f"Total: {total} request{'s' if total != 1 else ''} · Last used: {last}")
    return 0


def keys_review(args: argparse.Namespace) -> int:
    # Usage figures cost one request per key and add little: `last_used_at` answers every
    # rule, so the review lists the active keys once and stays one or two requests.
    async def fetch(client: TicosClient, _: Settings) -> list[ApiKey]:
        return await client.list_keys(status="active")

    keys = with_client(args, fetch)
    items = review_keys(keys, now=now_utc())
    if args.json:
        print_json([{"key": i.key.to_json(), "reasons": list(i.reasons)} for i in items])
        return 0
    if not items:
        count = "no active keys" if not keys else f"{len(keys)} active key" + "s" * (len(keys) > 1)
        say(f"Nothing to review ({count}).")
        return 0
    say(f"{len(items)} of {len(keys)} active keys to review:")
    for item in items:
        say()
        say(f"{clip(visible(item.key.name), 60)}  {item.key.id}  {item.key.snippet}")
        for reason in item.reasons:
            say(f"  - {reason}")
        say(f"  revoke: ticos-tui keys revoke {item.key.id}")
        say(f"  roll:   ticos-tui keys roll {item.key.id} --grace 24h")
    return 0
