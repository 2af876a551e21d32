"""What a key action's worker posts when its request is answered: the pane applies it to the list.

The workers of tui/api_keys/actions.py and bulk.py only send requests; every change they bring to
the table, and what the user is told of it, arrives at the pane as one of these messages, in
the order the answers came.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from textual.message import Message

from ticos_tui.core.models import ApiKey, CreatedKey


def nothing() -> None:
    """What happens after an action when nothing is to follow it."""


@dataclass(frozen=True, slots=True)
class Note:
    """A toast: what happened (already made visible), with its title and weight."""

    text: str
    title: str = ""
    severity: Literal["information", "warning", "error"] = "information"
    timeout: float = 3


class KeysChanged(Message):
    """Keys the server changed (`upserts`) or deleted (`removed`), with what to say of it and what
    to do next (`then`); `select`: move the cursor to the first changed key."""

    bubble = False

    def __init__(
        self,
        upserts: Sequence[ApiKey] = (),
        removed: Sequence[str] = (),
        *,
        select: bool = False,
        note: Note | None = None,
        then: Callable[[], None] = nothing,
    ) -> None:
        super().__init__()
        self.upserts = upserts
        self.removed = removed
        self.select = select
        self.note = note
        self.then = then


class KeyRolled(Message):
    """A roll was answered: the new key (shown once, in its dialog), the old key as it is now
    (None: it could not be fetched; the list is loaded again), and what to do after the dialog."""

    bubble = False

    def __init__(
        self, created: CreatedKey, old: ApiKey | None, then: Callable[[], None] = nothing
    ) -> None:
        super().__init__()
        self.created = created
        self.old = old
        self.then = then


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk action did: the keys done, those that failed and why, the new keys of a roll."""

    verb: str
    done: list[ApiKey]
    failed: list[tuple[ApiKey, str]]
    created: list[CreatedKey]


class BulkDone(Message):
    """A bulk action went through every key (each key's change came before, as KeysChanged)."""

    bubble = False

    def __init__(self, outcome: BulkOutcome) -> None:
        super().__init__()
        self.outcome = outcome
