"""LoginChooser: every stored login (as `ticos-tui auth list` shows them), to switch to one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ticos_tui.core.sanitize import literal
from ticos_tui.tui.dialogs import Dialog


class LoginChooser(Dialog[str | None]):
    """Dismisses with the base URL of the login picked, or None."""

    DEFAULT_CSS = """
    LoginChooser > Vertical { width: 76; max-height: 100%; }
    LoginChooser OptionList { height: auto; max-height: 12; }
    LoginChooser #logins-note { color: $text-muted; margin-top: 1; }
    LoginChooser.-short #logins-note { margin-top: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel")]
    KEY_HINTS = (("enter", "Switch"), ("↑↓", "Choose"))

    def __init__(self, logins: list[tuple[str, str, str]], active: str) -> None:
        """`logins`: (name, base URL, where its token lives); `active`: the base URL in use."""
        super().__init__()
        self._logins = logins
        self._active = active

    def compose(self) -> ComposeResult:
        options = []
        for name, url, where in self._logins:
            mark = "● " if url == self._active else "  "
            line = Text.assemble(
                mark, literal(name, "bold"), "  ", literal(url), "\n  ", literal(f"token: {where}")
            )
            line.stylize("dim", len(mark) + len(name))
            options.append(Option(line, id=url, disabled=url == self._active))
        with Vertical():
            yield Label("Switch login", classes="dialog-title")
            yield OptionList(*options, id="logins")
            yield Static(
                "The login you pick becomes the default, as `ticos-tui auth switch` does "
                "(● marks the one in use). Add one with `ticos-tui login --base-url URL`.",
                id="logins-note",
                markup=False,
            )

    def on_mount(self) -> None:
        super().on_mount()
        options = self.query_one(OptionList)
        options.focus()
        first_other = next(
            (index for index, (_, url, _) in enumerate(self._logins) if url != self._active), None
        )
        if first_other is not None:
            options.highlighted = first_other

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
