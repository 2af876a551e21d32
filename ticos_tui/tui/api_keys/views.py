"""The keys list's body: the table, or the view of loading, no keys yet, or the load failed.

`KeysBody` shows one of them. A view other than the table is composed only when it is first
shown: most starts need none of them, and the first frame composes only what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import AwaitMount, Widget
from textual.widgets import Button, ContentSwitcher, Label, LoadingIndicator, Static

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


class Body(StrEnum):
    """What the body shows: one state, named by the id of the view that shows it."""

    LOADING = "keys-loading"
    TABLE = "keys-table"
    EMPTY = "keys-empty"
    ERROR = "keys-error"

    @classmethod
    def for_keys(cls, total: int) -> Body:
        """The list as it stands: the table, or the empty view when there are no keys."""
        return cls.TABLE if total else cls.EMPTY


class KeysBody(ContentSwitcher):
    """Shows one `Body`: the table it is given, or a view composed the first time it is due.

    `switched` is called the moment a view is shown (the list sets the focus from it: at once,
    so the frame that shows the view shows the focus too, with no second drawing)."""

    def __init__(
        self, table: Widget, switched: Callable[[Body], None], *, id: str, classes: str = ""
    ) -> None:
        loading = LoadingView(id=Body.LOADING.value)
        super().__init__(loading, table, id=id, classes=classes, initial=Body.LOADING.value)
        self.wanted = Body.LOADING  # the view wanted (it may still be mounting)
        self._switched = switched
        self._error = Text("")
        self._views: dict[Body, Widget] = {Body.LOADING: loading, Body.TABLE: table}
        self._mounting: dict[Body, AwaitMount] = {}  # views still being mounted

    def show(self, state: Body) -> None:
        """Show `state`; a view shown for the first time is mounted, then shown."""
        self.wanted = state
        if state not in self._views:
            view: Widget = (
                EmptyView(id=state.value)
                if state is Body.EMPTY
                else ErrorView(self._error, id=state.value)
            )
            self._views[state] = view
            view.display = False  # the switcher shows it once it is in
            self._mounting[state] = self.mount(view, before=self._views[Body.TABLE])
            self.call_later(self.shown, state)
        elif state not in self._mounting:
            self._switch(state)
        # else: still mounting; `shown` shows it if it is still the one wanted

    async def shown(self, state: Body) -> None:
        """Wait until the view of `state` is in; show it if it is still the one wanted."""
        mounting = self._mounting.get(state)
        if mounting is not None:
            await mounting
            self._mounting.pop(state, None)
        if self.wanted == state and self._views[state].is_attached:  # (not when quitting)
            self._switch(state)

    def show_error(self, message: Text) -> None:
        """Show the error view with `message`."""
        self._error = message
        for view in self.query(ErrorView):  # none until first shown
            view.show(message)
        self.show(Body.ERROR)

    def _switch(self, state: Body) -> None:
        self.current = state.value
        self._switched(state)
