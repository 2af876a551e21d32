"""`ticos-tui audit` against a real `ticos-tui serve`: listing, filters, formats, --follow, errors."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading

import pytest

from .conftest import SCRIPT, Served
from .helpers import one_line_error


@pytest.fixture
def remote(served: Served, account_token: str, monkeypatch: pytest.MonkeyPatch) -> Served:
    monkeypatch.setenv("TICOS_BASE_URL", served.url)
    monkeypatch.setenv("TICOS_TOKEN", account_token)
    return served


def test_audit_lists_filters_and_formats(cli, remote: Served) -> None:  # type: ignore[no-untyped-def]
    assert cli("keys", "create", "Nightly [b]batch[/b]").code == 0
    key_id = json.loads(cli("keys", "list", "--json").out)[0]["id"]
    assert cli("keys", "rename", key_id, "Nightly 2").code == 0
    assert cli("keys", "roll", key_id, "--grace", "now", "--yes").code == 0
    assert cli("keys", "create", "other").code == 0
    successor = json.loads(cli("keys", "get", key_id, "--json").out)["replaced_by"]
    assert successor is not None and successor != key_id
    assert f"rolled → {successor}" in cli("keys", "get", key_id).out  # the Lineage line
    assert f"replaces {key_id}" in cli("keys", "get", successor).out

    listed = cli("audit")
    assert listed.code == 0
    lines = listed.out.splitlines()
    assert [line.split("  ")[1] for line in lines] == [
        "key.created", "key.rolled", "key.renamed", "key.created", "session.created",
    ]  # fmt: skip
    assert "“Nightly 2” (" + key_id + ")" in lines[1] and "rolled → key_" in lines[1]
    assert "“Nightly [b]batch[/b]” → “Nightly 2”" in lines[2]  # names literally
    assert "by session ses_" in lines[0] and "from 127.0.0.1" in lines[0]

    mine = json.loads(cli("audit", "--key", key_id, "--json").out)
    assert [e["action"] for e in mine] == ["key.rolled", "key.renamed", "key.created"]
    by_name = json.loads(cli("audit", "--key", "other", "--json").out)
    assert [e["action"] for e in by_name] == ["key.created"]
    renames = cli("audit", "--action", "key.renamed", "--jsonl").out.splitlines()
    assert [json.loads(line)["detail"]["new_name"] for line in renames] == ["Nightly 2"]
    assert len(json.loads(cli("audit", "--limit", "2", "--json").out)) == 2
    assert len(json.loads(cli("audit", "--since", "1h", "--json").out)) == 5
    assert cli("audit", "--key", "no such key").code == 1


def test_audit_usage_errors_and_scope(cli, remote: Served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert one_line_error(cli("audit", "--action", "key.exploded"), 2)
    assert one_line_error(cli("audit", "--since", "soon"), 2)
    assert one_line_error(cli("audit", "--limit", "0"), 2)
    err = one_line_error(cli("audit", "--follow", "--json"), 2)
    assert "--jsonl" in err
    narrow = cli("keys", "create", "reader", "--scope", "api_keys:read").out.strip()
    monkeypatch.setenv("TICOS_TOKEN", narrow)
    assert "audit:read" in one_line_error(cli("audit"), 1)


def _lines(stream) -> queue.Queue[str]:  # type: ignore[no-untyped-def]
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_audit_follow_prints_events_as_they_happen_until_ctrl_c(
    cli, remote: Served, account_token: str
) -> None:  # type: ignore[no-untyped-def]
    assert cli("keys", "create", "before").code == 0
    env = {**os.environ, "TICOS_BASE_URL": remote.url, "TICOS_TOKEN": account_token}
    proc = subprocess.Popen(
        [str(SCRIPT), "audit", "--follow", "--jsonl", "--limit", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out = _lines(proc.stdout)
        first = json.loads(out.get(timeout=30))
        assert (first["action"], first["key_name"]) == ("key.created", "before")
        assert cli("keys", "create", "during").code == 0
        key_id = json.loads(cli("keys", "list", "--json").out)[0]["id"]
        assert cli("keys", "revoke", key_id, "--yes").code == 0
        seen = [json.loads(out.get(timeout=30)) for _ in range(2)]
        assert [(e["action"], e["key_name"]) for e in seen] == [
            ("key.created", "during"),
            ("key.revoked", "during"),
        ]  # oldest first, each once
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert out.empty()  # nothing printed twice
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
