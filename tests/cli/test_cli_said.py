"""What `keys revoke|delete` say of a key that was not active (issue 20 item 10): only what
happened, never "fails from the next request on" for a key that already failed."""

from __future__ import annotations

from .helpers import create


def test_revoking_a_revoked_key_says_it_already_was(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "twice")
    first = cli("keys", "revoke", made["id"], "--yes")
    assert first.code == 0 and "fails from the next request on" in first.err
    again = cli("keys", "revoke", made["id"], "--yes")
    assert again.code == 0, again
    assert "already revoked" in again.err and "nothing changed" in again.err
    assert "fails from the next request on" not in again.err


def test_deleting_a_revoked_key_does_not_say_it_stops_working_now(cli) -> None:  # type: ignore[no-untyped-def]
    _, made = create(cli, "old")
    assert cli("keys", "revoke", made["id"], "--yes").code == 0
    deleted = cli("keys", "delete", made["id"], "--yes")
    assert deleted.code == 0, deleted
    assert "stops working now" not in deleted.err
    assert "had already stopped working" in deleted.err
    assert "every list" in deleted.err


def test_an_empty_name_is_a_usage_error_before_any_request(cli) -> None:  # type: ignore[no-untyped-def]
    for argv in (("keys", "create", ""), ("keys", "create", "   ")):
        result = cli(*argv)
        assert result.code == 2, result
        assert "name" in result.err and "server" not in result.err
    _, made = create(cli, "kept")
    renamed = cli("keys", "rename", made["id"], "")
    assert renamed.code == 2 and "server" not in renamed.err
