"""The keys list's other views: loading, no keys yet, and the load failed.

Each is composed only when it is first shown (see `KeysLoading._show`): most starts need none
of them, and the first frame composes only what it shows.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Label, LoadingIndicator, Static

EMPTY_TEXT = (
    "You have no API keys yet.\n\n"
    "Press n (or click “Create New API Key”) to create one. Use a separate key for each "
    "application, so you can revoke one without breaking the others."
)


class LoadingView(Vertical):
    """A spinner and "Loading…", centred."""

    DEFAULT_CSS = """
    LoadingView { align: center middle; }
    LoadingView LoadingIndicator { height: 1; }
    LoadingView Label { width: 100%; content-align: center middle; }
    """

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Label("Loading…")


class EmptyView(Vertical):
    """No keys yet: how to create one."""

    DEFAULT_CSS = """
    EmptyView { padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text(EMPTY_TEXT))


class ErrorView(Vertical):
    """The load failed: what happened, and how to retry."""

    DEFAULT_CSS = """
    ErrorView { padding: 1 2; }
    ErrorView #keys-error-message { color: $error; margin-bottom: 1; }
    ErrorView #keys-retry { margin-top: 1; }
    """

    def __init__(self, message: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._message = message

    def compose(self) -> ComposeResult:
        yield Static(self._message, id="keys-error-message")
        yield Static(Text("Press r to retry."))
        yield Button("Retry (r)", id="keys-retry", name="refresh", compact=True)

    def show(self, message: Text) -> None:
        self._message = message
        for static in self.query("#keys-error-message").results(Static):  # none until composed
            static.update(message)
