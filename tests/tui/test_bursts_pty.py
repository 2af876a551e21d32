"""Keys that arrive in one read (paste, tmux send-keys, a laggy link), Enter inside, each reach
the screen that would have had them typed slowly, also while a request is in flight."""

from __future__ import annotations

from tests.tui.helpers import seed, server_keys
from tests.tui.test_type_ahead_pty import Terminal
from ticos_tui.settings.config import Settings


async def test_filter_enter_then_d_revokes_the_key_found(settings: Settings) -> None:
    await seed(settings, "big batch job", "tiny cron")
    terminal = Terminal()
    try:
        terminal.wait_for("tiny cron")
        terminal.type("/tiny\rd")
        terminal.wait_for("Revoke API key", timeout=20)
        assert b"tinyd" not in terminal.seen
    finally:
        terminal.close()


async def test_c_typed_with_the_name_copies_the_created_key(settings: Settings) -> None:
    terminal = Terminal()
    try:
        terminal.wait_for("You have no API keys yet")
        terminal.type("nBurst name\rc")  # the `c` arrives while the create request is in flight
        terminal.wait_for("API key created")
        terminal.wait_for("the key to", timeout=20)  # "Copied the key to…" / "Sent the key to…"
    finally:
        terminal.close()
    assert [name for name, _ in (await server_keys(settings)).values()] == ["Burst name"]


async def test_d_typed_with_a_rename_opens_revoke_for_the_renamed_key(settings: Settings) -> None:
    await seed(settings, "old name")
    terminal = Terminal()
    try:
        terminal.wait_for("old name")
        terminal.type("e\x15new name\rd")  # ctrl+u clears; the `d` arrives while renaming
        terminal.wait_for("Revoke API key", timeout=20)
    finally:
        terminal.close()
    assert [name for name, _ in (await server_keys(settings)).values()] == ["new name"]
