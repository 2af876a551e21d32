"""KeyHints: the footer line of the keys that work here, drawn as one line of text.

Textual's Footer mounts a widget per key and restyles each of them at start-up
(about 0.1 s of the 0.25 s a bare app takes); one line of text costs nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget


class KeyHints(Widget):
    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        seen: set[str] = set()
        accent = self.app.current_theme.accent or "yellow"
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = len(text)
            text.append(
                f" {self.app.get_key_display(binding)} ",
                style=f"bold {accent}" if enabled else "dim",
            )
            text.append(f"{binding.description} ", style="" if enabled else "dim")
            self._spans.append((start, len(text), binding.key.split(",")[0]))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
