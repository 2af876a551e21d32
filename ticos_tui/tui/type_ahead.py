"""KeyGate: every key of a burst reaches the screen that would have had it typed slowly.

A paste, tmux `send-keys` or a laggy link delivers several keys in one read, Enter included.
Textual hands each key to whatever has the focus as it arrives, but what a key does (a binding
that pushes a dialog, an Input's Enter posting `Submitted` whose handler moves the focus, a
request whose answer opens the next dialog) happens later, through the message queues of the
widgets involved. So the App lets one key through at a time and holds the rest until the last
one has finished, all driven by messages (no timer):

1. the key goes to the focused widget, and a `KeyFollower` right behind it; the follower bubbles
   up behind the key, so when it reaches the App the key's bindings have run;
2. a second follower goes the same way, behind whatever those bindings posted to the widget
   (an Input's `Submitted`, a Button's `Pressed`): when it is back, their handlers have run;
3. then the next key waits once more behind the current screen's queue (a screen just pushed
   mounts and sets its focus first) and the App's (where `focus()` lands).

A dialog whose answer takes a request (create, rename) holds the keys from its submit until its
result callback has run (`hold` / `answered`): keys typed meanwhile reach the dialog that answer
opens (`n`, a name, Enter, `c` copies the new key), or the page it returns to.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

R = TypeVar("R")


class KeyFollower(Message):
    """Posted behind a key to the widget it went to; reaching the App, it says that round is done."""

    def __init__(self, serial: int, last: bool) -> None:
        super().__init__()
        self.serial = serial
        self.last = last


class KeyGate:
    """The keys that arrive while an earlier one, or a dialog's request, is still under way."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._held: deque[events.Event] = deque()
        self._serial = 0
        self._in_flight = False  # a key has gone out and the next must wait
        self._target: MessagePump | None = None  # where the key in flight went
        self._holds: set[object] = set()  # dialogs whose request is under way
        self._answered: set[object] = set()  # dialogs whose result callback releases their hold

    @staticmethod
    def applies(event: events.Event) -> bool:
        """A key or paste straight from the terminal (not one bubbling back up)."""
        return isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded

    def waiting(self, event: events.Event) -> bool:
        """Queue `event` when it must wait its turn; True when it was queued."""
        if not (self._in_flight or self._holds or self._held):
            return False
        self._held.append(event)
        return True

    def sent(self, target: MessagePump) -> None:
        """The key just went to `target`: the next ones wait until it has been handled."""
        self._serial += 1
        self._in_flight = True
        self._target = target
        self._follow(last=False)

    def arrived(self, follower: KeyFollower) -> None:
        """A follower reached the App: its round of handlers has run."""
        if follower.serial != self._serial or not self._in_flight or self._target is None:
            return
        if follower.last:
            self._settle()
        else:
            self._follow(last=True)

    def screen_changed(self, _screen: Screen[Any]) -> None:
        """A screen was pushed or popped: a follower behind a widget that went with it is lost.

        Checked now and again once the screen has settled: a popped screen's widgets are still
        attached when the change is announced, and removed (with their queues) just after.
        """
        self._drop_lost_target()
        self._after_screen(self._drop_lost_target)

    def _drop_lost_target(self) -> None:
        target = self._target
        if self._in_flight and target is not None and not getattr(target, "is_attached", False):
            self._settle()

    def hold(self, owner: object) -> None:
        """Keys wait until `release(owner)`: `owner`'s request decides where they go.

        Only for a dialog pushed with `answered` (its result callback releases the hold): any
        other owner holds nothing, so no key can wait for a release that never comes.
        """
        if owner in self._answered:
            self._holds.add(owner)

    def answer_releases(self, dialog: object) -> None:
        """`dialog`'s result callback will release its hold (see `answered`)."""
        self._answered.add(dialog)

    def release(self, owner: object, *, answered: bool = False) -> None:
        """Let the keys `owner` held go (`answered`: its result callback has run)."""
        if answered:
            self._answered.discard(owner)
        if owner in self._holds:
            self._holds.discard(owner)
            self._after_screen(self._next)

    def _follow(self, *, last: bool) -> None:
        target = self._target
        if target is None or not target.post_message(KeyFollower(self._serial, last)):
            self._settle()  # the widget is closing: nothing will come back up

    def _settle(self) -> None:
        self._target = None
        serial = self._serial

        def done() -> None:
            if self._in_flight and serial == self._serial:
                self._in_flight = False
                self._next()

        self._after_screen(done)

    def _after_screen(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the current screen has mounted and the App has applied its focus."""
        app = self._app
        app.screen.call_later(lambda: app.call_later(callback))

    def _next(self) -> None:
        if self._in_flight or self._holds or not self._held:
            return
        self._in_flight = True  # its turn: a key read meanwhile goes behind it
        self._app.post_message(KeyReleased(self._held.popleft()))


class KeyReleased(Message):
    """A held key's turn: the App sends it on like a key just read from the terminal."""

    def __init__(self, event: events.Event) -> None:
        super().__init__()
        self.event = event


def key_gate(app: App[Any]) -> KeyGate | None:
    gate = getattr(app, "key_gate", None)
    return gate if isinstance(gate, KeyGate) else None


def answered(app: App[Any], dialog: object, callback: Callable[[R], object]) -> Callable[[R], None]:
    """`callback` for a dialog's result, letting the keys held by the dialog's request go after it."""

    gate = key_gate(app)
    if gate is not None:
        gate.answer_releases(dialog)

    def run(result: R) -> None:
        try:
            callback(result)
        finally:
            if gate is not None:
                gate.release(dialog, answered=True)

    return run
