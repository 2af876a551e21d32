"""Servers that are down, broken, not Ticos or too slow: one line on stderr, exit 1, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.client.fakeserver import fake_server, free_port, json_reply

from .conftest import run_script
from .helpers import one_line_error

HOSTILE = "evil \x1b[2J\x1b]0;pwned\x07 [red]x[/red] \u202eabc \u200b"


def key_json(name: str) -> dict[str, object]:
    return {
        "id": "key_evil",
        "name": name,
        "snippet": "tk_AbC1…wXyZ",
        "status": "active",
        "scopes": ["*"],
        "created_at": "2020-01-01T00:00:00Z",
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }


def test_server_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    err = one_line_error(run_script("keys", "list", "--base-url", url, env={"TICOS_TOKEN": "t"}), 1)
    assert f"cannot connect to {url}" in err and "ticos-tui serve" in err


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ((500, {"Content-Type": "text/plain"}, b"Internal Server Error"), "failed (HTTP 500)"),
        (
            (200, {"Content-Type": "text/html"}, b"<!doctype html><h1>Hi</h1>"),
            "did not answer with the Ticos API (got text/html",
        ),
        ((404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"), "has no /v1/api-keys"),
    ],
)
def test_broken_or_foreign_servers(reply: tuple[int, dict[str, str], bytes], words: str) -> None:
    with fake_server(lambda m, p: reply) as url:
        result = run_script("keys", "list", "--base-url", url, env={"TICOS_TOKEN": "tst_x"})
    assert words in one_line_error(result, 1) and result.out == ""


def test_slow_server_times_out() -> None:
    with fake_server(lambda m, p: json_reply(200, {"status": "ok"}), delay=10) as url:
        # The server answers only after 10 s: an error naming the timeout means we gave up first.
        result = run_script(
            "keys", "list", "--base-url", url, "--timeout", "0.5", env={"TICOS_TOKEN": "tst_x"}
        )
    assert "did not answer within 0.5 s" in one_line_error(result, 1)


def test_hostile_text_from_a_server_prints_visibly(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def behave(method: str, path: str):  # type: ignore[no-untyped-def]
        if path.startswith("/v1/api-keys?"):
            return json_reply(200, {"data": [key_json(HOSTILE)], "next_cursor": None})
        if path == "/v1/account":
            return json_reply(
                200,
                {
                    "id": "acc_1",
                    "name": HOSTILE,
                    "email": "e@x",
                    "created_at": "2026-11-26T20:12:53Z",
                },
            )
        return json_reply(422, {"detail": f"name: {HOSTILE}"})

    monkeypatch.setenv("TICOS_TOKEN", "tst_x")
    with fake_server(behave) as url:
        table = cli("keys", "list", "--base-url", url)
        raw = cli("keys", "list", "--base-url", url, "--json")
        review = cli("keys", "review", "--base-url", url)
        status = cli("status", "--base-url", url)
        failed = cli("keys", "rename", "key_evil", "x", "--base-url", url)
    for result in (table, raw, review, status, failed):
        for bad in ("\x1b", "\x07", "\u202e", "\u200b"):
            assert bad not in result.out + result.err, result
    # Piped, the table keeps the whole name, made visible.
    assert "evil ␛[2J␛]0;pwned␇ [red]x[/red] <U+202E>abc <U+200B>" in table.out
    assert "never used" in review.out
    assert "␛[2J␛]0;pwned␇ [red]x[/red] <U+202E>abc <U+200B>" in review.out
    assert json.loads(raw.out)[0]["name"] == HOSTILE  # JSON keeps the data exact, escaped
    assert "␛" in status.out
    assert "␛[2J" in one_line_error(failed, 1)
