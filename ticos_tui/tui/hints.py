"""KeyHints: the bottom line of the keys that work now on its screen, drawn as one line of text.

Textual's Footer mounts a widget per key and restyles each of them at start-up
(about 0.1 s of the 0.25 s a bare app takes); one line of text costs nothing.
The main screen and every dialog have their own line, so it shows the keys of the
screen on top. While an input has the focus, keys that type a character are left
out (they type). The palette, help and quit are pinned right and never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.keys import format_key, key_to_character
from textual.widget import Widget
from textual.widgets import Input

ExtraHints = Callable[[], Iterable[tuple[str, str]]]
_PINNED = ("command_palette", "help", "quit")


@dataclass(frozen=True, slots=True)
class Hint:
    key: str  # the key a click presses
    display: str
    description: str
    enabled: bool = True
    action: str = ""


class KeyHints(Widget):
    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(
        self, extra: ExtraHints | Iterable[tuple[str, str]] = (), *, priority: Sequence[str] = ()
    ) -> None:
        """`extra`: (key, what it does) for keys that are no binding (enter, tab), shown first.

        `priority`: actions that keep their place first, in this order, when the line is short
        of room; the others follow in the bindings' order. The line shows them in that order.
        """
        super().__init__()
        self._extra = extra if callable(extra) else (lambda fixed=tuple(extra): fixed)
        self._priority = {action: rank for rank, action in enumerate(priority)}
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def _hint(self, key: str, description: str, enabled: bool = True) -> Hint:
        return Hint(key, self.app.get_key_display(Binding(key, "")), description, enabled)

    def hints(self) -> tuple[list[Hint], list[Hint]]:
        """(what works here, in order; the pinned ones: palette, help, quit)."""
        app, screen = self.app, self.screen
        typing = isinstance(screen.focused, Input)
        shown = [self._hint(key, what) for key, what in self._extra()]
        pinned: dict[str, Hint] = {}
        seen = {hint.key for hint in shown}
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            key = binding.key.split(",")[0]
            if action in seen or (typing and _types(key)):
                continue  # while typing, a character key types
            if action in _PINNED:
                if action in pinned and not binding.show:
                    continue  # `q Quit` (shown) over Textual's hidden ctrl+q for the same action
                description = "Commands" if action == "command_palette" else binding.description
                pinned[action] = Hint(key, app.get_key_display(binding), description, enabled)
            elif binding.show:
                seen.add(action)
                shown.append(
                    Hint(key, app.get_key_display(binding), binding.description, enabled, action)
                )
        if "quit" not in pinned and not screen.is_modal:
            pinned["quit"] = self._hint(
                "ctrl+q", "Quit"
            )  # `q` types in an input; ctrl+q never does
        return shown, [pinned[action] for action in _PINNED if action in pinned]

    def render(self) -> Text:
        shown, pinned = self.hints()
        accent = self.app.current_theme.accent or "yellow"

        def piece(hint: Hint) -> Text:
            return Text.assemble(
                (f" {hint.display} ", f"bold {accent}" if hint.enabled else "dim"),
                (f"{hint.description} ", "" if hint.enabled else "dim"),
            )

        right = [piece(hint) for hint in pinned]
        room = self.size.width - sum(len(text) for text in right)
        # Extra hints first, then by priority, then in the bindings' order: whole hints that do
        # not fit are left out (none is cut mid-word), and the kept ones keep their order.
        ranked = sorted(
            range(len(shown)),
            key=lambda i: (
                shown[i].action != "",
                self._priority.get(shown[i].action, len(self._priority)),
                i,
            ),
        )
        kept: set[int] = set()
        for index in ranked:
            width = len(piece(shown[index]))
            if width <= room:
                kept.add(index)
                room -= width
        left = [(hint, piece(hint)) for i, hint in enumerate(shown) if i in kept]
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for index, (hint, text) in enumerate([*left, *zip(pinned, right, strict=True)]):
            if index == len(left):
                line.append(" " * max(room, 0))  # the pinned hints sit at the right end
            start = len(line)
            line.append_text(text)
            self._spans.append((start, len(line), hint.key))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _types(key: str) -> bool:
    """Whether `key` types a character into an input (`n`, `/`, space) rather than acting."""
    character = key_to_character(key)
    if character is None:  # a name Unicode does not know, like `slash`: its one-character form
        shown = format_key(key)
        character = shown if len(shown) == 1 and shown.isascii() else None
    return character is not None and character.isprintable()
