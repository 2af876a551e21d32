"""`serve` says why it cannot start as every other command does: `ticos-tui: error: …`, one
line, what to do, exit 1 (issue 20 item 10)."""

from __future__ import annotations

import socket

import pytest

from tests.served import free_port


def _one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.err.strip().splitlines()
    assert result.code == 1 and len(lines) == 1, result.err
    assert lines[0].startswith("ticos-tui: error: ")
    return lines[0]


def test_a_port_in_use_is_named_with_what_to_do(cli) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_error_line(cli("serve", "--port", str(port)))
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in line
    assert "pick another --port" in line


@pytest.mark.parametrize("host", ["10.255.255.1", "nohost.invalid"])
def test_an_address_that_is_not_here_says_check_host(cli, host: str) -> None:  # type: ignore[no-untyped-def]
    line = _one_error_line(cli("serve", "--host", host, "--port", str(free_port())))
    assert f"cannot listen on {host}:" in line and "check --host" in line


def test_a_database_that_does_not_answer(cli) -> None:  # type: ignore[no-untyped-def]
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/x"
    line = _one_error_line(cli("serve", "--port", str(free_port()), "--database-url", url))
    assert "cannot use the database" in line and "refused" in line.lower()
