"""A key as a person names it on the command line: its id, or a name only one key has."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ticos_tui.core.errors import NotFound, UsageError
from ticos_tui.core.present import quoted

if TYPE_CHECKING:
    from ticos_tui.client.http import TicosClient

# What the contract's ids look like; anything else is taken for a name.
_KEY_ID = re.compile(r"key_[0-9A-Za-z]{1,40}", re.ASCII)


def looks_like_key_id(text: str) -> bool:
    return _KEY_ID.fullmatch(text) is not None


async def resolve_key_id(client: TicosClient, text: str) -> str:
    """The id `text` stands for: `text` itself when it looks like an id, else the one key named so.

    A name is matched exactly, among every key the account still lists (active, revoked,
    expired); deleted keys are gone. Several keys of that name: UsageError naming their ids.
    None: NotFound. An id is passed on as given (the server says when it is unknown).
    """
    if looks_like_key_id(text):
        return text
    matches = [k for k in await client.list_keys(status="all") if k.name == text]
    if len(matches) == 1:
        return matches[0].id
    if not matches:
        raise NotFound(
            f"no key has the name or id {quoted(text)}; "
            "list the keys with `ticos-tui keys list --status all`",
            status=404,
        )
    ids = ", ".join(f"{k.id} ({k.status})" for k in matches)
    raise UsageError(f"{len(matches)} keys are named {quoted(text)}: {ids}; use one of the ids")
