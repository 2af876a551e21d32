"""`keys create/roll --to DEST`: the new key handed to a secret store, reported as it went."""

from __future__ import annotations

import argparse
import shlex

from ticos_tui.cli.output import note
from ticos_tui.core.errors import UsageError
from ticos_tui.handoff.destinations import Destination, configured
from ticos_tui.settings.config import Settings, config_file_path


def destination_text(args: argparse.Namespace) -> str | None:
    """`--to` with gh's `--repo`/`--env` after it, as one destination text; None without --to."""
    text: str | None = getattr(args, "to", None)
    repo, env = getattr(args, "repo", None), getattr(args, "env", None)
    if text is None:
        if repo or env or getattr(args, "print_key", False):
            raise UsageError("--repo, --env and --print go with --to DEST")
        return None
    if (repo or env) and not text.startswith("gh:"):
        raise UsageError("--repo and --env go with --to gh:NAME (GitHub Actions secrets)")
    for flag, value in (("--repo", repo), ("--env", env)):
        if value:
            text += f" {flag} {shlex.quote(value)}"
    return text


def destination(text: str, key_name: str = "") -> Destination:
    """`text` parsed, with the `[[destinations]]` of config.toml; UsageError when unusable."""
    return configured(text, key_name, config_file_path())


def hand_over(text: str, key: str, key_name: str, settings: Settings) -> bool:
    """Send `key` to `text`; says how it went on stderr, remembers it for this login when stored."""
    from ticos_tui.handoff.send import send
    from ticos_tui.settings.last_sent import remember_destination

    dest = destination(text, key_name)
    sent = send(dest, key)
    if sent.ok:
        note(f"The new key is {sent.message}.")
        remember_destination(settings, dest.text)
        return True
    note(f"The new key was NOT stored: {sent.message}")
    return False


def last_destination_hint(settings: Settings) -> str | None:
    """A roll without --to: where this login sent its last key, as the flag that sends it there."""
    from ticos_tui.settings.last_sent import last_destination

    last = last_destination(settings)
    if last is None:
        return None
    return f"The last new key of this login went to {last}: add --to {shlex.quote(last)} to send it there."
