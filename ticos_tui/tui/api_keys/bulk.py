"""`d`, `delete` and `o` on the marked keys: one confirmation listing them all, each key tried,
one message saying which were done and which not; the ones that failed stay marked."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import KEEP_LIFETIME, ApiKey, CreatedKey
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.tui.api_keys.changes import BulkDone, BulkOutcome, KeysChanged, Note
from ticos_tui.tui.api_keys.table import ApiKeysTable

LISTED = 12  # names listed in a confirmation; more are counted
ROLL_GRACE = 3600  # a bulk roll keeps each old key working for an hour

_CONSEQUENCE = {
    "revoke": "Applications using these keys stop working immediately. This cannot be undone.",
    "delete": "They are revoked and removed from every list. This cannot be undone.",
    "roll": "Each gets a new key, shown once, one after the other; each old key keeps working "
    "for 1 hour.",
}


def listing(keys: Sequence[ApiKey]) -> Text:
    """The keys one per line (name and snippet), the first LISTED of them, then a count."""
    text = Text()
    for key in keys[:LISTED]:
        text.append("  • ")
        text.append_text(literal(key.name, style="bold"))
        text.append(f" ({visible(key.snippet)})\n")
    if len(keys) > LISTED:
        text.append(f"  …and {len(keys) - LISTED} more\n")
    return text


def _names(keys: Sequence[ApiKey]) -> str:
    shown = ", ".join(f"“{k.name}”" for k in keys[:LISTED])
    return shown + (f" and {len(keys) - LISTED} more" if len(keys) > LISTED else "")


class BulkActions:
    """Acting on the marked keys of `table`; `if_marked` is what each single-key action asks
    first. Requests run as workers of `host` (the pane), which is posted what they bring."""

    def __init__(self, host: Widget, table: ApiKeysTable, get_backend: GetBackend) -> None:
        self.host = host
        self.table = table
        self._get_backend = get_backend

    def if_marked(self, verb: str) -> bool:
        """When keys are marked, ask once about all of them and return True; else False."""
        marked = self.table.marked_keys()
        if not marked:
            return False
        self.confirm(verb, marked)
        return True

    def confirm(self, verb: str, marked: list[ApiKey]) -> None:
        """One confirmation listing `marked` (those it applies to), then `verb` on each."""
        from ticos_tui.tui.dialogs import ConfirmDialog

        app = self.host.app
        keys = [k for k in marked if k.status == "active"] if verb != "delete" else marked
        skipped = len(marked) - len(keys)
        if not keys:
            app.notify(
                f"None of the {len(marked)} marked keys is active: nothing to {verb}.",
                severity="warning",
                timeout=4,
            )
            return
        body = Text(f"{verb.capitalize()} these {len(keys)} keys?\n\n")
        body.append_text(listing(keys))
        if skipped:
            body.append(f"({skipped} marked key{'s' * (skipped > 1)} not active: left alone.)\n")
        body.append("\n" + _CONSEQUENCE[verb])

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_worker(self._bulk(verb, keys), group="keys-bulk", exit_on_error=False)

        title = f"{verb.capitalize()} {len(keys)} API keys"
        label = f"{verb.capitalize()} {len(keys)}"
        app.push_screen(ConfirmDialog(title, body, confirm_label=label), answered)

    async def _bulk(self, verb: str, keys: list[ApiKey]) -> None:
        done: list[ApiKey] = []
        failed: list[tuple[ApiKey, str]] = []
        created: list[CreatedKey] = []
        post = self.host.post_message
        for key in keys:
            try:
                client = await self._get_backend()
                if verb == "revoke":
                    post(KeysChanged([await client.revoke_key(key.id)]))
                elif verb == "delete":
                    await client.delete_key(key.id)
                    post(KeysChanged(removed=[key.id]))
                else:
                    new = await client.roll_key(
                        key.id, grace_seconds=ROLL_GRACE, expires_at=KEEP_LIFETIME
                    )
                    created.append(new)
                    post(KeysChanged([new.api_key]))
                    try:  # the old key as it is now (it shows when it stops)
                        post(KeysChanged([await client.get_key(key.id)]))
                    except TicosError:
                        pass  # the roll is done all the same; the next refresh brings it
            except TicosError as err:
                failed.append((key, str(err)))
            else:
                done.append(key)
        post(BulkDone(BulkOutcome(verb, done, failed, created)))

    def finish(self, outcome: BulkOutcome) -> None:
        """What is left to do stays marked; say what was done; show each new key of a roll."""
        self.table.set_marks([key.id for key, _ in outcome.failed])
        note = report(outcome)
        self.host.app.notify(
            note.text, title=note.title, severity=note.severity, markup=False, timeout=note.timeout
        )
        self.show_created(outcome.created)

    def show_created(self, created: list[CreatedKey]) -> None:
        """Each new key of a bulk roll in its own key-created dialog, one after the other."""
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        if not created:
            return
        first, rest = created[0], created[1:]
        title = f"Key rolled ({len(rest)} more to come): here is the new key" if rest else None
        dialog = KeyCreatedDialog(first, title=title or "Key rolled: here is the new key")
        self.host.app.push_screen(dialog, lambda _: self.show_created(rest))


def report(outcome: BulkOutcome) -> Note:
    """Which keys were done, and which not and why."""
    verb, done, failed = outcome.verb, outcome.done, outcome.failed
    past = f"{verb.capitalize()}d" if verb != "roll" else "Rolled"
    text = f"{past} {len(done)} of {len(done) + len(failed)}"
    text += f": {_names(done)}." if done else "."
    if failed:
        why = "; ".join(f"“{k.name}”: {reason}" for k, reason in failed[:LISTED])
        text += f" Not {past.lower()} (still marked): {why}"
    return Note(
        visible(text),
        title=f"{verb.capitalize()} several keys",
        severity="error" if failed else "information",
        timeout=12 if failed else 4,
    )
