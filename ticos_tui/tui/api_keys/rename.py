"""RenameKeyDialog: the create dialog's validated name input, prefilled with the key's current name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.widgets import Input
from textual.widgets.input import Selection

from ticos_tui.core.models import ApiKey
from ticos_tui.core.sanitize import visible
from ticos_tui.tui.dialogs import NameDialog


class RenameKeyDialog(NameDialog[ApiKey]):
    """Rename `key`; dismisses with the updated `ApiKey`, `key` itself when the name is unchanged, or None."""

    title_text = "Rename API Key"
    submit_label = "Rename"

    def __init__(self, key: ApiKey, rename: Callable[[str, str], Awaitable[ApiKey]]) -> None:
        super().__init__()
        self.prepare(key, rename)

    def prepare(self, key: ApiKey, rename: Callable[[str, str], Awaitable[ApiKey]]) -> None:
        self._key = key
        self._rename = rename
        # The name comes from a server: an Input shows control characters raw, so start visible.
        self._start_over(visible(key.name))
        if self.is_mounted:
            self._select_name()

    def on_mount(self) -> None:
        super().on_mount()
        self._select_name()

    def _select_name(self) -> None:
        """The old name selected: typing replaces it; an arrow or end keeps it to edit."""
        name = self.query_one("#name", Input)
        name.selection = Selection(0, len(name.value))

    async def perform(self, name: str) -> ApiKey:
        if name == self._key.name:
            return self._key  # nothing to send
        return await self._rename(self._key.id, name)
