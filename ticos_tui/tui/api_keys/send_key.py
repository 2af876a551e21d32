"""The key-created dialog's Send to…: ask where, hand the key over off the UI thread, say how
it went in the dialog's status line. The dialog stays open, key shown, whatever happened."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Button, Static

from ticos_tui.core.errors import TicosError
from ticos_tui.core.models import CreatedKey
from ticos_tui.core.sanitize import literal
from ticos_tui.settings.config import Settings
from ticos_tui.tui.api_keys.send_to import SendToDialog

if TYPE_CHECKING:
    from ticos_tui.tui.dialogs import Dialog


def _last(settings: Settings) -> str | None:
    from ticos_tui.settings.last_sent import last_destination

    try:
        return last_destination(settings)
    except (TicosError, OSError):
        return None  # an unreadable memory only loses the suggestion


def _remember(settings: Settings, text: str) -> str:
    from ticos_tui.settings.last_sent import remember_destination

    try:
        remember_destination(settings, text)
    except (TicosError, OSError) as err:
        return f" (not remembered for the next roll: {err})"
    return ""


async def send_from_dialog(dialog: Dialog[None], created: CreatedKey) -> bool:
    """Ask for a destination and send `created.key` there; True when the store confirmed it."""
    from ticos_tui.handoff.send import send

    settings: Settings = dialog.app.settings  # type: ignore[attr-defined]
    last = await asyncio.to_thread(_last, settings)
    prompt = SendToDialog(created.api_key.name, settings.config_file, last)
    dest = await dialog.app.push_screen_wait(prompt)
    if dest is None:
        return False
    status = dialog.query_one("#copy-status", Static)
    status.set_class(False, "unconfirmed")
    status.update(literal(f"Sending to {dest.label}…"))
    sent = await asyncio.to_thread(send, dest, created.key)
    status.set_class(not sent.ok, "unconfirmed")
    if not sent.ok:
        status.update(Text("⚠ Not stored: ") + literal(sent.message))
        return False
    note = await asyncio.to_thread(_remember, settings, dest.text)
    status.update(Text("✓ ") + literal(sent.message[0].upper() + sent.message[1:] + "." + note))
    dialog.query_one("#done", Button).focus()
    return True
