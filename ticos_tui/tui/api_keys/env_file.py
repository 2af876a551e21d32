"""EnvFileDialog: append the new key to a .env file, asking before touching .gitignore or an existing line."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ticos_tui.core.sanitize import literal
from ticos_tui.handoff import dotenv
from ticos_tui.tui.dialogs import ConfirmDialog, Dialog


class EnvFileDialog(Dialog[str | None]):
    """Dismisses with a sentence saying what was written, or None when nothing was."""

    DEFAULT_CSS = """
    EnvFileDialog > Vertical { width: 72; max-width: 95%; }
    EnvFileDialog #env-problem { color: $error; height: auto; }
    EnvFileDialog #env-where { color: $warning; height: auto; display: none; }
    EnvFileDialog .hint { color: $text-muted; }
    EnvFileDialog .dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    EnvFileDialog .dialog-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    KEY_HINTS = (("enter", "Append"), ("tab", "Next"))

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key: str | None = key

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Append to a .env file"), classes="dialog-title")
            yield Static(
                Text(
                    f"Adds {dotenv.VARIABLE}=… to a .env, .env.* or *.env file of yours (mode "
                    "0600). A file inside a git work tree must be in .gitignore first; a file git "
                    "tracks, a link, an executable, a hard-linked or another user's file is refused.",
                    style="dim",
                )
            )
            yield Label("File", classes="hint")
            yield Input(value=".env", id="env-path", select_on_focus=False)
            yield Static("", id="env-where")
            yield Static("", id="env-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Append", id="append", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#env-path", Input).focus()
        self._say_where(".env")

    @on(Input.Changed, "#env-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._say_where(event.value)

    def _say_where(self, path: str) -> None:
        """In a browser, the file lands on the server's disk, not the reader's: say which, and where."""
        if not self.app.is_web:
            return
        where = Path(path.strip() or ".env").expanduser()
        where = where if where.is_absolute() else Path.cwd() / where
        shown = self.query_one("#env-where", Static)
        shown.display = True
        shown.update(
            literal(
                f"This app runs in your browser: the file is written on the server "
                f"{socket.gethostname()}, at {where}, not on your computer."
            )
        )

    def _problem(self, message: str) -> None:
        self.query_one("#env-problem", Static).update(literal(message))

    @on(Input.Submitted, "#env-path")
    @on(Button.Pressed, "#append")
    def _append(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self._write(self.query_one("#env-path", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self._key = None
        self.dismiss(None)

    @work(exclusive=True, group="env-write", exit_on_error=False)
    async def _write(self, path: str) -> None:
        if not path or self._key is None:
            self._problem("Enter a file path, e.g. .env")
            return
        try:
            # Each step reads files and asks git: off the UI thread, so the app stays responsive.
            p = await asyncio.to_thread(dotenv.plan, path)
            if p.needs_gitignore:
                add = await self.app.push_screen_wait(
                    ConfirmDialog(
                        "Add to .gitignore?",
                        literal(
                            f"{p.path} is inside the git work tree {p.git_root} and not ignored. "
                            f"Add /{p.path.name} to {p.path.parent / '.gitignore'} so the key can never be committed?"
                        ),
                        confirm_label="Add to .gitignore",
                        destructive=False,
                    )
                )
                if not add:
                    self._problem("Not written: the file would not be ignored by git.")
                    return
                await asyncio.to_thread(dotenv.add_to_gitignore, p)
                p = await asyncio.to_thread(dotenv.plan, path)
            replace = False
            if p.has_key_line:
                replace = await self.app.push_screen_wait(
                    ConfirmDialog(
                        "Replace the existing line?",
                        literal(
                            f"{p.path} already has a {dotenv.VARIABLE} line. Replace it with the new key?"
                        ),
                        confirm_label="Replace",
                    )
                )
                if not replace:
                    self._problem(f"Not written: {p.path} keeps its {dotenv.VARIABLE} line.")
                    return
            done = await asyncio.to_thread(dotenv.write_key, p, self._key, replace=replace)
        except (dotenv.DotenvError, OSError) as err:
            self._problem(f"Not written: {err}")
            return
        except Exception as err:  # never fail silently: the worker would swallow it
            self._problem(f"Not written: an unexpected error ({type(err).__name__}) stopped it.")
            return
        self._key = None
        self.dismiss(done[0].upper() + done[1:] + ".")
