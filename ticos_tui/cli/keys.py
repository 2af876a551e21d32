"""`ticos-tui keys …`: list, create, get, rename, revoke, delete, roll, usage and review, one function each."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ticos_tui.cli.connection import ask, require_confirmation, with_client
from ticos_tui.cli.key_table import key_table, terminal_width
from ticos_tui.cli.lookup import resolve_key_id
from ticos_tui.cli.output import note, print_json, say
from ticos_tui.core.errors import UsageError
from ticos_tui.core.models import KEEP_LIFETIME, ApiKey, CreatedKey, UsageDay
from ticos_tui.core.present import (
    clip,
    describe,
    key_fields,
    quoted,
    scopes_summary,
)
from ticos_tui.core.review import review_keys
from ticos_tui.core.sanitize import visible
from ticos_tui.core.timefmt import exact, now_utc, relative
from ticos_tui.core.usagechart import bar_chart, sparkline

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient
    from ticos_tui.settings.config import Settings


def _print_created(args: argparse.Namespace, created: CreatedKey, *, with_key: bool = True) -> None:
    """The new secret alone on stdout (or in a JSON object): what `KEY=$(…)` captures."""
    if args.json:
        print_json({**created.api_key.to_json(), **({"key": created.key} if with_key else {})})
    elif with_key:
        print(created.key, file=sys.stdout, flush=True)


STORE_IT = "The full key is on stdout and is never shown again: store it now."


def _deliver(
    args: argparse.Namespace, created: CreatedKey, settings: Settings, to: str | None
) -> tuple[int, str]:
    """Print the new key, or send it `--to` a store (printed too with --print, or on failure).

    Returns the exit code and the sentence that ends the command's message.
    """
    if to is None:
        _print_created(args, created)
        return 0, STORE_IT
    from ticos_tui.cli.send_key import hand_over

    stored = hand_over(to, created.key, created.api_key.name, settings)
    _print_created(args, created, with_key=args.print_key or not stored)
    if stored:
        return 0, "It is not printed (--print shows it too)." if not args.print_key else ""
    return 1, "The full key is on stdout instead and is never shown again: store it now."


def keys_list(args: argparse.Namespace) -> int:
    async def fetch(client: TicosClient, _: Settings) -> list[ApiKey]:
        return await client.list_keys(status=args.status)

    from ticos_tui.cli.bulk import selected

    keys = selected(with_client(args, fetch), args.name, args.limit)
    if args.format == "complete":  # for shell completion: ids, and names a shell can take
        for key in keys:
            say(key.id)
            if visible(key.name) == key.name:
                say(key.name)
    elif args.format == "json":
        print_json([k.to_json() for k in keys])
    elif args.format == "jsonl":
        for key in keys:
            print_json(key.to_json(), indent=None)
    elif not keys:
        named = f" named {args.name}" if args.name else ""
        note(f"No keys{named}." if args.status == "all" else f"No {args.status} keys{named}.")
    else:
        say("\n".join(key_table(keys, now_utc(), terminal_width())))
    return 0


def _expires_at(span: timedelta) -> datetime:
    """The moment an `--expires-in` span from now ends (whole seconds, as the server keeps them)."""
    return now_utc().replace(microsecond=0) + span


def _checked_destination(args: argparse.Namespace, key_name: str = "") -> str | None:
    """`--to` and its options, checked before anything is created; None without --to."""
    from ticos_tui.cli.send_key import destination, destination_text

    to = destination_text(args)
    if to is not None:
        destination(to, key_name)  # a typo is a usage error before a key exists
    return to


def keys_create(args: argparse.Namespace) -> int:
    expires_at = _expires_at(args.expires_in) if args.expires_in else None
    to = _checked_destination(args, args.name)

    async def create(client: TicosClient, settings: Settings) -> tuple[CreatedKey, Settings]:
        created = await client.create_key(args.name, scopes=args.scopes, expires_at=expires_at)
        return created, settings

    created, settings = with_client(args, create)
    key = created.api_key
    expiry = f", expires {exact(key.expires_at)}" if key.expires_at else ""
    note(f"Created key {describe(key)} with {scopes_summary(key)}{expiry}.")
    code, closing = _deliver(args, created, settings, to)
    if closing:
        note(closing)
    return code


def keys_rename(args: argparse.Namespace) -> int:
    async def rename(client: TicosClient, _: Settings) -> ApiKey:
        return await client.rename_key(await resolve_key_id(client, args.id), args.name)

    key = with_client(args, rename)
    if args.json:
        print_json(key.to_json())
    note(f"Renamed key {key.id} to {quoted(key.name)}.")
    return 0


def keys_get(args: argparse.Namespace) -> int:
    async def fetch(client: TicosClient, _: Settings) -> ApiKey:
        return await client.get_key(await resolve_key_id(client, args.id))

    key = with_client(args, fetch)
    if args.json:
        print_json(key.to_json())
        return 0
    fields = key_fields(key, now_utc())
    label_width = max(len(label) for label, _ in fields) + 1
    say("\n".join(f"{label + ':':<{label_width}} {text}" for label, text in fields))
    return 0


async def _confirm(
    client: TicosClient, args: argparse.Namespace, key_id: str, question: str, done: str
) -> ApiKey | None:
    """Unless --yes, ask `question` about the key (it is named in full); returns it when read."""
    if args.yes:
        return None
    key = await client.get_key(key_id)
    if not ask(question.format(key=describe(key))):
        raise UsageError(f"not confirmed; nothing was {done}")
    return key


def _destroy(args: argparse.Namespace, verb: str, consequence: str) -> int:
    """Revoke or delete a key, asking first unless --yes; the confirmation names the key.

    What is said fits the key as it was: a key already revoked is left alone and said to be so,
    and a key that had stopped working is not said to stop working now.
    """
    if len(args.ids) > 1:
        from ticos_tui.cli.bulk import destroy_several

        return destroy_several(args, verb, consequence)
    args.id = args.ids[0]
    require_confirmation(args, verb)
    as_json = getattr(args, "json", False)

    async def run(client: TicosClient, _: Settings) -> tuple[str, ApiKey | None, str]:
        key_id = await resolve_key_id(client, args.id)
        before = await client.get_key(key_id)
        if verb == "revoke" and before.status == "revoked":
            return describe(before), before, "already"
        said = consequence if before.status == "active" else STOPPED_ALREADY
        if not args.yes and not ask(f"{verb.capitalize()} key {describe(before)}? {said}"):
            raise UsageError(f"not confirmed; nothing was {verb}d")
        if verb == "revoke":
            revoked = await client.revoke_key(key_id)
            return describe(revoked), revoked, said
        await client.delete_key(key_id)
        return describe(before), before, said

    described, key, said = with_client(args, run)
    if key is not None and as_json:
        # delete: the key as it was just before, marked deleted (it can't be read any more).
        print_json(key.to_json() if verb == "revoke" else {**key.to_json(), "deleted": True})
    if said == "already":
        note(f"Key {described} was already revoked; nothing changed.")
    else:
        note(f"{verb.capitalize()}d key {described}. {said}")
    return 0


# A delete of a key that no longer worked (revoked or expired) says only what happens now.
STOPPED_ALREADY = "It had already stopped working; it disappears from every list for good."


def keys_revoke(args: argparse.Namespace) -> int:
    return _destroy(args, "revoke", "Anything using it fails from the next request on.")


def keys_delete(args: argparse.Namespace) -> int:
    return _destroy(args, "delete", "It stops working now and disappears from every list for good.")


ROLL_NOW = (
    "The old key stops working now: anything still using it fails from the next request on "
    "(--grace 1h keeps it working while you deploy the new one)."
)


def keys_roll(args: argparse.Namespace) -> int:
    grace = int(args.grace.total_seconds())
    expires_at = _expires_at(args.expires_in) if args.expires_in else KEEP_LIFETIME
    if grace == 0:  # an immediate cut-over is as final as a revoke: asked for alike
        require_confirmation(args, "roll", alternative="or --grace 1h to keep the old key working")

    to = _checked_destination(args)

    async def roll(client: TicosClient, settings: Settings) -> tuple[str, CreatedKey, Settings]:
        key_id = await resolve_key_id(client, args.id)
        if grace == 0:
            await _confirm(client, args, key_id, f"Roll key {{key}} now? {ROLL_NOW}", "rolled")
        new = await client.roll_key(key_id, grace_seconds=grace, expires_at=expires_at)
        return key_id, new, settings

    key_id, created, settings = with_client(args, roll)
    old = (
        "The old key stopped working now."
        if grace == 0
        else f"The old key keeps working until {exact(now_utc() + args.grace)}."
    )
    new_expiry = created.api_key.expires_at
    expiry = f"expires {exact(new_expiry)}" if new_expiry else "never expires"
    note(
        f"Rolled key {key_id}: the new key is {describe(created.api_key)}. {old} "
        f"The new key {expiry}."
    )
    code, closing = _deliver(args, created, settings, to)
    if to is None:
        from ticos_tui.cli.send_key import last_destination_hint

        closing = " ".join(filter(None, [closing, last_destination_hint(settings)]))
    if closing:
        note(closing)
    return code


def keys_usage(args: argparse.Namespace) -> int:
    async def fetch(client: TicosClient, _: Settings) -> tuple[ApiKey, list[UsageDay]]:
        key_id = await resolve_key_id(client, args.id)
        return await client.get_key(key_id), await client.usage(key_id, days=args.days)

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
        print_json(
            [
                {
                    "key": i.key.to_json(),
                    "reasons": list(i.reasons),
                    "replaced_by": i.replaced_by.id if i.replaced_by else None,
                }
                for i in items
            ]
        )
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
        if item.rollable:
            say(f"  revoke: ticos-tui keys revoke {item.key.id}")
            say(f"  roll:   ticos-tui keys roll {item.key.id} --grace 24h")
        else:  # already rolled: the one thing left is to end its grace early
            say(f"  revoke once nothing uses it: ticos-tui keys revoke {item.key.id}")
    return 0
