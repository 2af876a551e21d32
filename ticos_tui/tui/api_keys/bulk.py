"""`d`, `delete` and `o` on the marked keys: one confirmation listing them all, each key tried,
one message saying which were done and which not; the ones that failed stay marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on, work

from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import KEEP_LIFETIME, ApiKey, CreatedKey
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.tui.api_keys.loading import Body, KeysLoading
from ticos_tui.tui.api_keys.marking import MarkableTable

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


class BulkActions(KeysLoading):
    """Acting on the marked keys; `bulk_if_marked` is what each single-key action asks first."""

    @on(MarkableTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_count()

    def bulk_if_marked(self, verb: str) -> bool:
        """When keys are marked, ask once about all of them and return True; else False."""
        marked = self.table.marked_keys()
        if not marked:
            return False
        self.bulk_confirm(verb, marked)
        return True

    def bulk_confirm(self, verb: str, marked: list[ApiKey]) -> None:
        """One confirmation listing `marked` (those it applies to), then `verb` on each."""
        from ticos_tui.tui.dialogs import ConfirmDialog

        keys = [k for k in marked if k.status == "active"] if verb != "delete" else marked
        skipped = len(marked) - len(keys)
        if not keys:
            self.app.notify(
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
                self._bulk(verb, keys)

        title = f"{verb.capitalize()} {len(keys)} API keys"
        label = f"{verb.capitalize()} {len(keys)}"
        self.app.push_screen(ConfirmDialog(title, body, confirm_label=label), answered)

    @work(group="keys-bulk", exit_on_error=False)
    async def _bulk(self, verb: str, keys: list[ApiKey]) -> None:
        done: list[ApiKey] = []
        failed: list[tuple[ApiKey, str]] = []
        created: list[CreatedKey] = []
        for key in keys:
            try:
                client = await self._get_backend()
                if verb == "revoke":
                    self.table.upsert(await client.revoke_key(key.id))
                elif verb == "delete":
                    await client.delete_key(key.id)
                    self.table.remove_key(key.id)
                else:
                    new = await client.roll_key(
                        key.id, grace_seconds=ROLL_GRACE, expires_at=KEEP_LIFETIME
                    )
                    created.append(new)
                    self.table.upsert(new.api_key)
                    self.table.upsert(await client.get_key(key.id))
            except TicosError as err:
                failed.append((key, str(err)))
            else:
                done.append(key)
        self.table.set_marks([key.id for key, _ in failed])  # what is left to do stays marked
        self._update_count()
        if not self.table.total:
            self._show(Body.EMPTY)
        self._report(verb, done, failed)
        self._show_created(created)

    def _report(self, verb: str, done: list[ApiKey], failed: list[tuple[ApiKey, str]]) -> None:
        past = f"{verb.capitalize()}d" if verb != "roll" else "Rolled"
        total = len(done) + len(failed)
        text = f"{past} {len(done)} of {total}"
        text += f": {_names(done)}." if done else "."
        if failed:
            why = "; ".join(f"“{k.name}”: {reason}" for k, reason in failed[:LISTED])
            text += f" Not {past.lower()} (still marked): {why}"
        self.app.notify(
            visible(text),
            title=f"{verb.capitalize()} several keys",
            severity="error" if failed else "information",
            markup=False,
            timeout=12 if failed else 4,
        )

    def _show_created(
        self, created: list[CreatedKey], after: Callable[[], None] | None = None
    ) -> None:
        """Each new key of a bulk roll in its own key-created dialog, one after the other."""
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        if not created:
            return
        first, rest = created[0], created[1:]
        title = f"Key rolled ({len(rest)} more to come): here is the new key" if rest else None
        dialog = KeyCreatedDialog(first, title=title or "Key rolled: here is the new key")
        self.app.push_screen(dialog, lambda _: self._show_created(rest))
