"""TypeAhead: keys typed faster than the screen changes still reach the screen they were typed for.

Textual hands a key to the focused widget, and the key's binding runs only once the key
has bubbled back up to the App, through one message queue per widget. Keys that arrive
meanwhile are already on their way to the old focus: `n` then "Fast" would sort the table
instead of naming the new key. So the App lets one key (or paste) through at a time: the
next waits until the last has bubbled all the way up, its binding has run, and the screen
it opened (or the widget it focused) is in place.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.timer import Timer

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

# A key whose widget closes under it (enter on a dialog's button) never bubbles up: after
# this long (or as soon as its widget is gone) the next key goes anyway.
_GIVE_UP_AFTER = 1.0


class KeyFollower(Message):
    """Posted behind a key to the widget it went to; reaching the App, it says the key is done."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class TypeAhead:
    """Holds the keys that arrive while an earlier one is still on its way."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._held: deque[events.Event] = deque()
        self._serial = 0
        self._in_flight = False  # a key has gone out and the next must wait
        self._expected: int | None = None  # the follower still to come back, if any
        self._target: MessagePump | None = None
        self._since = 0.0
        self._watch: Timer | None = None

    @staticmethod
    def applies(event: events.Event) -> bool:
        """A key or paste straight from the terminal (not one bubbling back up)."""
        return isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded

    def hold(self, event: events.Event) -> bool:
        """Keep `event` back when a key is in flight; True when it was kept."""
        if not self._in_flight:
            return False
        self._held.append(event)
        return True

    def follow(self, target: MessagePump) -> None:
        """The key just went to `target`: hold the next ones until it has been handled."""
        self._serial += 1
        self._in_flight = True
        self._expected = self._serial
        self._target = target
        self._since = time.monotonic()
        if self._watch is None:
            self._watch = self._app.set_interval(0.05, self._check, name="type-ahead")
        else:
            self._watch.resume()
        if not target.post_message(KeyFollower(self._serial)):
            self._settle()  # the widget is closing: nothing will come back up

    def arrived(self, follower: KeyFollower) -> None:
        """A follower reached the App: its key's bindings have run."""
        if follower.serial == self._expected:
            self._settle()

    def _check(self) -> None:
        if not self._in_flight:
            if self._watch is not None:
                self._watch.pause()
            return
        if time.monotonic() - self._since > _GIVE_UP_AFTER:
            self._app.call_later(self._release, self._serial)
            return
        target = self._target
        if self._expected is not None and getattr(target, "is_attached", True) is False:
            self._settle()  # its widget went away with the key: the follower is lost with it

    def _settle(self) -> None:
        """Let the next key go once the screen that is current now has mounted and set its focus."""
        self._expected = None
        self._target = None
        serial = self._serial

        def after_screen() -> None:
            # `focus()` is applied by a callback on the App's queue: go behind it.
            self._app.call_later(self._release, serial)

        self._app.screen.call_later(after_screen)

    async def _release(self, serial: int) -> None:
        if not self._in_flight or serial != self._serial:
            return  # released already (by the watch, or by the follower)
        self._in_flight = False
        self._expected = None
        if self._held:
            await self._app.on_event(self._held.popleft())
