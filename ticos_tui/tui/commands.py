"""KeysCommands: every action of the API Keys page in the command palette (ctrl+p), read from its bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches

from ticos_tui.tui.api_keys.columns import COLUMNS, SORTABLE
from ticos_tui.tui.api_keys.pane import ApiKeysPane


def key_names(app: App[object], binding: Binding) -> str:
    """A binding's keys as the hints line shows them: `del / ⌫` for "delete,backspace"."""
    if binding.key_display:
        return binding.key_display
    keys = [key.strip() for key in binding.key.split(",")]
    return " / ".join(app.get_key_display(Binding(key, binding.action)) for key in keys)


@dataclass(frozen=True, slots=True)
class Command:
    title: str
    help: str
    run: Callable[[], object]


class KeysCommands(Provider):
    """The page's key actions (the same bindings the help lists), sorting by each column, the account menu."""

    def commands(self) -> Iterator[Command]:
        try:
            pane = self.screen.query_one(ApiKeysPane)
        except NoMatches:
            return  # another screen (a dialog) is under the palette: its own keys apply
        app = self.app
        for binding in pane.BINDINGS:
            if not isinstance(binding, Binding) or not binding.show or "." in binding.action:
                continue
            yield Command(
                binding.tooltip or binding.description,
                f"{binding.description} · {key_names(app, binding)}",
                partial(pane.run_action, binding.action),
            )
        titles = {column.key: column.title for column in COLUMNS}
        for column in SORTABLE:
            yield Command(
                f"Sort by {titles[column].lower()}",
                "Sort the keys by this column (s cycles through them)",
                partial(pane.sort_by, column),
            )
        yield Command(
            "Activity: who did what to which key",
            f"The account's audit log, followed while open · {key_names(app, Binding('a', ''))}",
            partial(self.screen.run_action, "section('activity')"),
        )
        yield Command(
            "Account menu",
            f"Account Settings, Activity, Switch login, Quit · {key_names(app, Binding('ctrl+a', ''))}",
            partial(app.run_action, "account_menu"),
        )
        yield Command(
            "Switch login",
            "Another stored login, without a restart; it becomes the default"
            f" · {key_names(app, Binding('ctrl+a', ''))} then Switch login…",
            partial(app.run_action, "switch_login"),
        )
        yield Command(
            "Help: every key",
            f"The keys that work here · {key_names(app, Binding('question_mark', ''))}",
            partial(app.run_action, "help"),
        )

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
