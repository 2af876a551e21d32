"""Copy text to the clipboard: the system clipboard through pyperclip, else the terminal's (OSC 52)."""

from __future__ import annotations

from textual.app import App

SYSTEM = "system clipboard"
TERMINAL = "terminal clipboard (OSC 52)"


def copy_text(app: App[object], text: str) -> str:
    """Put `text` on a clipboard and return which one, for the message the user sees."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:
        app.copy_to_clipboard(text)
        return TERMINAL
    return SYSTEM
