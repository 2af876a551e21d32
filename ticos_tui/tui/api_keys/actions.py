"""The key actions of the pane: create, rename, revoke, delete, roll, review, copy the id, refresh.

Every action that opens a dialog pushes it before returning, never after an `await`: the keys
typed next are for that dialog (see tui/type_ahead.py). Requests that follow an answer run in
workers; a dialog that follows one opens from the answer's callback. The dialogs are imported
where they open, to keep them off the start-up path (`import_dialogs` imports them ahead).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from ticos_tui.core.errors import Conflict, TicosError
from ticos_tui.core.models import ApiKey, CreatedKey
from ticos_tui.core.sanitize import literal, visible
from ticos_tui.tui import clipboard
from ticos_tui.tui.api_keys.bulk import BulkActions
from ticos_tui.tui.api_keys.loading import Body
from ticos_tui.tui.type_ahead import answered

if TYPE_CHECKING:
    from ticos_tui.tui.api_keys.roll import RollChoice


def _nothing() -> None:
    """What happens after an action when nothing is to follow it."""


class KeyActions(BulkActions):
    """The actions the pane's keys and buttons run on the selected key (or the one given)."""

    def _selected(self, verb: str) -> ApiKey | None:
        key = self.table.selected_key if self.loaded or self.table.total else None
        if key is None:
            wait = "The keys are still loading" if not self.loaded else f"Select a key to {verb}"
            self.app.notify(f"{wait} first.", severity="warning", timeout=3)
        return key

    def _error(self, title: str, err: TicosError) -> None:
        self.app.notify(visible(str(err)), title=title, severity="error", markup=False, timeout=8)

    def action_refresh(self) -> None:
        self.load_keys()

    @work(group="keys-copy", exit_on_error=False)
    async def action_copy_id(self) -> None:
        key = self._selected("copy")
        if key is None:
            return
        copied = await clipboard.copy_text(self.app, key.id)
        self.app.notify(
            visible(copied.sentence(f"the id {key.id}")),
            markup=False,
            timeout=3 if copied.confirmed else 8,
        )

    def action_create(self) -> None:
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
        self._show(Body.TABLE)
        self._update_count()
        self.app.push_screen(KeyCreatedDialog(created))

    def action_rename(self) -> None:
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

    def action_revoke(
        self, key_id: str | None = None, after: Callable[[], None] = _nothing
    ) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog, kept

        if key_id is None and self.bulk_if_marked("revoke"):
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
                self._revoke(key, after)
            else:
                after()

        self.app.push_screen(
            kept(self.app, ConfirmDialog, "Revoke API key", body, confirm_label="Revoke"), answered
        )

    @work(group="keys-revoke", exit_on_error=False)
    async def _revoke(self, key: ApiKey, after: Callable[[], None]) -> None:
        try:
            client = await self._get_backend()
            updated = await client.revoke_key(key.id)
        except TicosError as err:
            self._error("Revoke failed", err)
        else:
            self.table.upsert(updated)
            self.app.notify(visible(f"Revoked “{key.name}”."), markup=False, timeout=3)
        after()

    def action_delete(self) -> None:
        from ticos_tui.tui.dialogs import ConfirmDialog, kept

        if self.bulk_if_marked("delete"):
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
                self._delete(key)

        self.app.push_screen(
            kept(self.app, ConfirmDialog, "Delete API key", body, confirm_label="Delete"), answered
        )

    @work(group="keys-delete", exit_on_error=False)
    async def _delete(self, key: ApiKey) -> None:
        try:
            client = await self._get_backend()
            await client.delete_key(key.id)
        except TicosError as err:
            self._error("Delete failed", err)
            return
        self.table.remove_key(key.id)
        self._update_count()
        if not self.table.total:
            self._show(Body.EMPTY)
        self.app.notify(visible(f"Deleted “{key.name}”."), markup=False, timeout=3)

    def action_roll(self, key_id: str | None = None, after: Callable[[], None] = _nothing) -> None:
        from ticos_tui.tui.api_keys.roll import RollKeyDialog
        from ticos_tui.tui.dialogs import kept

        if key_id is None and self.bulk_if_marked("roll"):
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
                self._roll(key, choice, after)

        self.app.push_screen(kept(self.app, RollKeyDialog, key, clock=self._clock), answered)

    @work(group="keys-roll", exit_on_error=False)
    async def _roll(self, key: ApiKey, choice: RollChoice, after: Callable[[], None]) -> None:
        from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog

        try:
            client = await self._get_backend()
            created = await client.roll_key(
                key.id, grace_seconds=choice.grace_seconds, expires_at=choice.expires_at
            )
        except TicosError as err:
            self._error("Roll failed", err)
            if isinstance(err, Conflict):  # rolled or revoked elsewhere: show how it is now
                self.load_keys(select_id=key.id)
            after()
            return
        try:
            self.table.upsert(await client.get_key(key.id))  # the old key now shows when it stops
        except TicosError:
            self.load_keys(select_id=created.api_key.id)
        self.table.upsert(created.api_key, select=True)
        self._update_count()
        self.app.push_screen(
            KeyCreatedDialog(created, title="Key rolled: here is the new key"),
            lambda _: after(),
        )

    def action_review(self) -> None:
        """Show the keys worth acting on; revoke or roll from there, then come back to the review."""
        from ticos_tui.tui.api_keys.review_screen import ReviewScreen

        # While the keys load, the review says so, and fills in once they are all in.
        self._review = ReviewScreen(*self._review_items()) if self.loaded else ReviewScreen(None)
        self.app.push_screen(self._review, self._reviewed)

    def _reviewed(self, choice: tuple[str, str] | None) -> None:
        self._review = None
        if choice is None:
            return
        action, key_id = choice
        if action == "revoke-all":
            self.bulk_confirm("revoke", [item.key for item in self._review_items()[0]])
        elif action == "revoke":
            self.action_revoke(key_id, after=self.action_review)
        else:
            self.action_roll(key_id, after=self.action_review)
