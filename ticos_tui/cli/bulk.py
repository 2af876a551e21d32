"""Several keys at once: `keys revoke|delete KEY...` with one confirmation listing them all, and
the `--name GLOB --limit N` selection of `keys list`."""

from __future__ import annotations

import argparse
import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ticos_tui.cli.connection import ask, require_confirmation, with_client
from ticos_tui.cli.lookup import resolve_key_id
from ticos_tui.cli.output import note, print_json
from ticos_tui.core.errors import TicosError, UsageError
from ticos_tui.core.models import ApiKey
from ticos_tui.core.present import describe

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient
    from ticos_tui.settings.config import Settings


def selected(keys: Sequence[ApiKey], name_glob: str | None, limit: int | None) -> list[ApiKey]:
    """The keys whose name matches `name_glob` (shell-style, case-sensitive), at most `limit`."""
    chosen = [k for k in keys if name_glob is None or fnmatch.fnmatchcase(k.name, name_glob)]
    return chosen[:limit] if limit is not None else chosen


# What `keys revoke|delete` say of one key (keys.py), said of several.
PLURAL = {
    "revoke": "Anything using them fails from the next request on.",
    "delete": "They stop working now and disappear from every list for good.",
}


def destroy_several(args: argparse.Namespace, verb: str, consequence: str) -> int:
    """Revoke or delete every key named in `args.ids`, after one confirmation listing them all.

    Each key is tried; the message says which were done and which not (and why); exit 1 if any
    failed. An unknown or ambiguous name stops everything before anything is done.
    """
    require_confirmation(args, verb)
    consequence = PLURAL.get(verb, consequence)

    async def run(
        client: TicosClient, _: Settings
    ) -> tuple[list[ApiKey], list[tuple[ApiKey, str]]]:
        ids: list[str] = []
        for text in args.ids:
            key_id = await resolve_key_id(client, text)
            if key_id not in ids:
                ids.append(key_id)
        keys = [await client.get_key(key_id) for key_id in ids]
        if not args.yes:
            note(f"{verb.capitalize()} these {len(keys)} keys?")
            for key in keys:
                note(f"  {describe(key)}")
            if not ask(consequence):
                raise UsageError(f"not confirmed; nothing was {verb}d")
        done: list[ApiKey] = []
        failed: list[tuple[ApiKey, str]] = []
        for key in keys:
            try:
                if verb == "revoke":
                    done.append(await client.revoke_key(key.id))
                else:
                    await client.delete_key(key.id)
                    done.append(key)
            except TicosError as err:
                failed.append((key, str(err)))
        return done, failed

    done, failed = with_client(args, run)
    if getattr(args, "json", False):
        print_json(
            [k.to_json() if verb == "revoke" else {**k.to_json(), "deleted": True} for k in done]
        )
    for key in done:
        note(f"{verb.capitalize()}d key {describe(key)}.")
    for key, why in failed:
        note(f"NOT {verb}d: key {describe(key)}: {why}")
    total = len(done) + len(failed)
    summary = f"{verb.capitalize()}d {len(done)} of {total} keys."
    note(f"{summary} {consequence}" if done else summary)
    return 1 if failed else 0
