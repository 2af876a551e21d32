"""Hand a key to a destination: its tool run with the key on stdin only, reported as it went.

"stored in X" only when the tool exited 0 (or the keyring took it); otherwise the tool's own
message, sanitised and with the key blotted out should the tool have echoed it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from ticos_tui.core.sanitize import visible
from ticos_tui.handoff.destinations import Destination, Step
from ticos_tui.settings.credentials import recommended_backend

TIMEOUT = 120.0  # seconds: a tool may ask for a GPG passphrase or a login in a browser
_MESSAGE_LIMIT = 400


@dataclass(frozen=True)
class Sent:
    ok: bool
    message: str  # one line for a person: "stored in …", or what went wrong and what to do


def _redacted(output: bytes, key: str) -> str:
    text = output.decode("utf-8", errors="replace").replace(key, "<the key>")
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 1] + "…"
    return visible(text)


def _run(step: Step, key: str) -> subprocess.CompletedProcess[bytes]:
    # The environment is this process's own, unchanged: the key is only ever in `input`.
    return subprocess.run(
        step.argv,
        input=step.stdin(key),
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        env=dict(os.environ),
    )


def _missing_tool(dest: Destination) -> Sent:
    return Sent(False, f"{dest.tool} was not found on PATH: {dest.install_hint}")


def _to_keyring(dest: Destination, key: str) -> Sent:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return Sent(False, f"the keyring library is not installed: {dest.install_hint}")
    try:
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return Sent(False, "no OS keyring is available here (keyring found no backend)")
        if not recommended_backend(backend):  # the rule login tokens follow too
            name = f"{type(backend).__module__}.{type(backend).__name__}"
            return Sent(
                False,
                f"the keyring backend here ({name}) is no OS credential store (keyring itself "
                "does not recommend it: a file of its own); choose another destination, or "
                "set PYTHON_KEYRING_BACKEND to an OS keyring",
            )
        keyring.set_password(dest.keyring_service, dest.keyring_user, key)
    except Exception as err:  # a locked keyring, no D-Bus…: its words, never a traceback
        return Sent(False, f"the keyring refused it: {_redacted(str(err).encode(), key)}")
    return Sent(True, f"stored in {dest.label}")


def send(dest: Destination, key: str) -> Sent:
    """Store `key` at `dest`; blocking (run it in a thread from the TUI)."""
    if dest.step is None:
        return _to_keyring(dest, key)
    step: Step | None = dest.step
    while step is not None:
        if shutil.which(step.argv[0]) is None:
            return _missing_tool(dest)
        try:
            done = _run(step, key)
        except subprocess.TimeoutExpired:
            return Sent(False, f"{dest.tool} did not finish within {TIMEOUT:g} s; nothing sent")
        except OSError as err:
            return Sent(False, f"{dest.tool} could not be started: {visible(err.strerror or err)}")
        if done.returncode == 0:
            return Sent(True, f"stored in {dest.label}")
        output = done.stderr + b"\n" + done.stdout
        if step.then is not None and step.missing and step.missing.encode() in output:
            step = step.then  # not there yet: create it
            continue
        said = _redacted(done.stderr or done.stdout, key) or "(it printed nothing)"
        return Sent(False, f"{dest.tool} failed (exit {done.returncode}): {said}")
    raise AssertionError("unreachable: the loop returns")
