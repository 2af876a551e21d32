"""The key actions of the pane: create, rename, revoke, delete, roll, review, copy the id.

`KeyActions` is held by the pane (not inherited): it reads the keys list it is given, opens the
dialogs, and runs the requests that follow an answer as workers of the pane, which post what
the server answered (tui/api_keys/changes.py) for the pane to apply. Every action that opens a
dialog pushes it before returning, never after an `await`: the keys typed next are for that
dialog (see tui/type_ahead.py); a dialog that follows one opens from the answer's callback. The
dialogs are imported where they open, to keep them off the start-up path (`import_dialogs`
imports them ahead).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.widget import Widget

from ticos_tui.client.backend import GetBackend
from ticos_tui.core.errors import Conflict, TicosError
from ticos_tui.core.models import ApiKey, CreatedKey
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.core.timefmt import Clock
from ticos_tui.tui import clipboard
from ticos_tui.tui.api_keys.bulk import BulkActions
from ticos_tui.tui.api_keys.changes import KeyRolled, KeysChanged, Note, nothing
from ticos_tui.tui.api_keys.keys_list import KeysList
from ticos_tui.tui.type_ahead import answered

if TYPE_CHECKING:
    from ticos_tui.core.review import ReviewItem
    from ticos_tui.tui.api_keys.review_screen import ReviewScreen
    from ticos_tui.tui.api_keys.roll import RollChoice


class KeyActions:
    """The actions the pane's keys and buttons run on the selected key (or the one given)."""

    def __init__(self, host: Widget, keys: KeysList, get_backend: GetBackend, clock: Clock) -> None:
        self.host = host
        self.keys = keys
        self.table = keys.table
        self.bulk = BulkActions(host, keys.table, get_backend)
        self._get_backend = get_backend
        self._clock = clock
        self._review: ReviewScreen | None = None  # the open review, filled in once keys load

    @property
    def app(self) -> App[object]:
        return self.host.app

    def _post(self, message: KeysChanged | KeyRolled) -> None:
        self.host.post_message(message)

    def _selected(self, verb: str) -> ApiKey | None:
        loaded = self.keys.loaded
        key = self.table.selected_key if loaded or self.table.total else None
        if key is None:
            wait = "The keys are still loading" if not loaded else f"Select a key to {verb}"
            self.app.notify(f"{wait} first.", severity="warning", timeout=3)
        return key

    def _error(self, title: str, err: TicosError) -> None:
        self.app.notify(visible(str(err)), title=title, severity="error", markup=False, timeout=8)

    def copy_id(self) -> None:
        key = self._selected("copy")
        if key is not None:
            self.host.run_worker(self._copy_id(key), group="keys-copy", exit_on_error=False)

    async def _copy_id(self, key: ApiKey) -> None:
        copied = await clipboard.copy_text(self.app, key.id)
        self.app.notify(
            visible(copied.sentence(f"the id {key.id}")),
            markup=False,
            timeout=3 if copied.confirmed else 8,
        )

    def create(self) -> None:
        from ticos_tui.tui.api_keys.create import CreateKeyDialog  # imported ahead: import_dialogs
        from ticos_tui.tui.dialogs import kept

        async def create(
            name: str, scopes: list[str] | None, expires_at: datetime | None
        ) -> CreatedKey:
            client = await self._get_backend()
            return await client.create_key(name, scopes=scopes, expires_at=expires_at)

        dialog = kept(self.app, CreateKeyDialog, create, clock=self._clock)
        self.app.push_screen(dialog, answered(self.app, dialog, self._created))

    def _created(self, created: CreatedKey | None) -> None:
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        if created is None:
            return
        self.table.upsert(created.api_key, select=True)
        self.keys.keys_changed()
        self.app.push_screen(KeyCreatedDialog(created))

    def rename(self) -> None:
        from ticos_tui.tui.api_keys.rename import RenameKeyDialog
        from ticos_tui.tui.dialogs import kept

        key = self._selected("rename")
        if key is None:
            return

        async def rename(key_id: str, name: str) -> ApiKey:
            return await (await self._get_backend()).rename_key(key_id, name)

        def renamed(new: ApiKey | None) -> None:
            self._renamed(key, new)

        dialog = kept(self.app, RenameKeyDialog, key, rename)
        self.app.push_screen(dialog, answered(self.app, dialog, renamed))

    def _renamed(self, key: ApiKey, updated: ApiKey | None) -> None:
        if updated is None:
            return
        if updated is key:  # the same name: nothing was sent
            self.app.notify(visible(f"Name unchanged: “{key.name}”."), markup=False, timeout=3)
            return
        self.table.upsert(updated)
        self.app.notify(visible(f"Renamed to “{updated.name}”."), markup=False, timeout=3)

    def revoke(self, key_id: str | None = None, after: Callable[[], None] = nothing) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog, kept

        if key_id is None and self.bulk.if_marked("revoke"):
            return None
        key = self.table.key_by_id(key_id) if key_id else self._selected("revoke")
        if key is None:
            return after()
        if key.status == "revoked":
            self.app.notify(visible(f"“{key.name}” is already revoked."), markup=False, timeout=3)
            return after()
        body = Text.assemble(
            "Revoke ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            "Applications using this key will stop working immediately. This cannot be undone.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_worker(
                    self._revoke(key, after), group="keys-revoke", exit_on_error=False
                )
            else:
                after()

        self.app.push_screen(
            kept(self.app, ConfirmDialog, "Revoke API key", body, confirm_label="Revoke"), answered
        )

    async def _revoke(self, key: ApiKey, after: Callable[[], None]) -> None:
        try:
            client = await self._get_backend()
            updated = await client.revoke_key(key.id)
        except TicosError as err:
            self._error("Revoke failed", err)
            after()
        else:
            note = Note(visible(f"Revoked “{key.name}”."))
            self._post(KeysChanged([updated], note=note, then=after))

    def delete(self) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog, kept

        if self.bulk.if_marked("delete"):
            return
        key = self._selected("delete")
        if key is None:
            return
        if key.status == "revoked":
            consequence = (
                "It is already revoked: no application can use it. Deleting removes it from "
                "every list. This cannot be undone."
            )
        else:
            consequence = (
                "The key is revoked and removed from every list. Applications using it stop "
                "working immediately. This cannot be undone."
            )
        body = Text.assemble(
            "Delete ",
            literal(key.name, style="bold"),
            f" ({visible(key.snippet)})?\n\n",
            consequence,
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.host.run_worker(self._delete(key), group="keys-delete", exit_on_error=False)

        self.app.push_screen(
            kept(self.app, ConfirmDialog, "Delete API key", body, confirm_label="Delete"), answered
        )

    async def _delete(self, key: ApiKey) -> None:
        try:
            client = await self._get_backend()
            await client.delete_key(key.id)
        except TicosError as err:
            self._error("Delete failed", err)
            return
        self._post(KeysChanged(removed=[key.id], note=Note(visible(f"Deleted “{key.name}”."))))

    def roll(self, key_id: str | None = None, after: Callable[[], None] = nothing) -> None:
        from ticos_tui.tui.api_keys.roll import RollKeyDialog
        from ticos_tui.tui.dialogs import kept

        if key_id is None and self.bulk.if_marked("roll"):
            return None
        key = self.table.key_by_id(key_id) if key_id else self._selected("roll")
        if key is None:
            return after()
        if key.status != "active":
            self.app.notify(
                visible(f"“{key.name}” is {key.status}; only an active key can be rolled."),
                markup=False,
            )
            return after()

        def answered(choice: RollChoice | None) -> None:
            if choice is None:
                after()
            else:
                worker = self._roll(key, choice, after)
                self.host.run_worker(worker, group="keys-roll", exit_on_error=False)

        self.app.push_screen(kept(self.app, RollKeyDialog, key, clock=self._clock), answered)

    async def _roll(self, key: ApiKey, choice: RollChoice, after: Callable[[], None]) -> None:
        try:
            client = await self._get_backend()
            created = await client.roll_key(
                key.id, grace_seconds=choice.grace_seconds, expires_at=choice.expires_at
            )
        except TicosError as err:
            self._error("Roll failed", err)
            if isinstance(err, Conflict):  # rolled or revoked elsewhere: show how it is now
                self.keys.load_keys(select_id=key.id)
            after()
            return
        try:
            old: ApiKey | None = await client.get_key(key.id)  # it now shows when it stops
        except TicosError:
            old = None
        self._post(KeyRolled(created, old, after))

    def rolled(self, message: KeyRolled) -> None:
        """Show the new key once, the old key as it is now, then what follows the roll."""
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        created = message.created
        if message.old is None:
            self.keys.load_keys(select_id=created.api_key.id)
        else:
            self.table.upsert(message.old)
        self.table.upsert(created.api_key, select=True)
        self.keys.keys_changed()
        self.app.push_screen(
            KeyCreatedDialog(created, title="Key rolled: here is the new key"),
            lambda _: message.then(),
        )

    def review(self) -> None:
        """Show the keys worth acting on; revoke or roll from there, then come back to the review."""
        from ticos_tui.tui.api_keys.review_screen import ReviewScreen

        # While the keys load, the review says so, and fills in once they are all in.
        self._review = (
            ReviewScreen(*self.review_items()) if self.keys.loaded else ReviewScreen(None)
        )
        self.app.push_screen(self._review, self._reviewed)

    def keys_loaded(self) -> None:
        """Every key is in: an open review, waiting for them, fills in."""
        if self._review is not None:
            self._review.show(*self.review_items())

    def review_items(self) -> tuple[list[ReviewItem], int]:
        from ticos_tui.core.review import review_keys  # off the start-up path

        keys = self.table.all_keys
        active = sum(1 for k in keys if k.status == "active")
        return review_keys(keys, now=self._clock()), active

    def _reviewed(self, choice: tuple[str, str] | None) -> None:
        self._review = None
        if choice is None:
            return
        action, key_id = choice
        if action == "revoke-all":
            self.bulk.confirm("revoke", [item.key for item in self.review_items()[0]])
        elif action == "revoke":
            self.revoke(key_id, after=self.review)
        else:
            self.roll(key_id, after=self.review)
