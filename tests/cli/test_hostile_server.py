"""The console script against a hostile server: escapes and markup in names and details never reach the terminal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.tui.faultserver import ERROR, TOKEN, FaultServer, fault_server

from .conftest import Result, run_script

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
HOSTILE = (
    f"evil [bold]B[/] [@click=app.quit]Q[/] {OSC52}\x1b]0;title\x07\x1b[2J\x9b31m "
    "\u202eabc\u202c z\u200bw\ufeff prod\u00ad \u3164\u115f a\u034fb t\U000e0041 \u061cx"
)
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
    "\u00ad\u034f\u061c\u115f\u3164\U000e0000-\U000e0fff]"
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        running.add_keys(HOSTILE)
        running.keys[0].update(snippet=f"tk_\x1b[2J…{OSC52}", scopes=["x\x1b]0;t\x07"])
        running.account_name = HOSTILE
        yield running


def assert_terminal_safe(result: Result) -> None:
    for stream, text in (("stdout", result.out), ("stderr", result.err)):
        found = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})
        assert found == [], f"{stream} carries raw control characters: {found}\n{result}"
    assert "Traceback" not in result.err


def run(server: FaultServer, *argv: str) -> Result:
    return run_script(*argv, "--base-url", server.url, env={"TICOS_TOKEN": TOKEN})


def test_keys_list_shows_hostile_fields_visibly(server: FaultServer) -> None:
    result = run(server, "keys", "list")
    assert result.code == 0, result
    assert_terminal_safe(result)
    assert "evil [bold]B[/]" in result.out and "␛" in result.out


def test_status_and_review_show_the_hostile_account_visibly(server: FaultServer) -> None:
    for argv in (("status",), ("keys", "review")):
        result = run(server, *argv)
        assert result.code == 0, result
        assert_terminal_safe(result)


@pytest.mark.parametrize("status", [422, 500])
def test_hostile_detail_in_an_error_is_one_visible_line(server: FaultServer, status: int) -> None:
    server.mode, server.error_status, server.error_detail = ERROR, status, f"name: {HOSTILE}"
    result = run(server, "keys", "rename", "key_0000", "new name")
    assert result.code == 1, result
    assert result.out == ""
    assert_terminal_safe(result)
    [line] = result.err.splitlines()
    assert "␛]52;c;aGVsbG8=␇" in line and "[@click=app.quit]Q[/]" in line
    assert TOKEN not in result.err


def test_a_name_that_looks_blank_is_shown_escaped(server: FaultServer) -> None:
    """v1.2: a remote server's name of only U+2800 or fillers must not show as an empty cell."""
    server.add_keys("\u2800\u2800")
    result = run(server, "keys", "list")
    assert result.code == 0, result
    assert "<U+2800><U+2800>" in result.out and "\u2800" not in result.out
