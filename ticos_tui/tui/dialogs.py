"""Dialog: the base of every centred modal: over the dimmed page, with a bold title."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal centred on the screen; subclasses give their frame its width and colour."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog .dialog-title { text-style: bold; margin-bottom: 1; }
    """
