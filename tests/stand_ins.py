"""Stand-ins for the secret stores' tools: each records its argv, its stdin, and what its own
/proc/PID/cmdline and /proc/PID/environ held while it ran (where the key must never be)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

STAND_IN = """#!{python}
import json, os, sys
stdin = sys.stdin.buffer.read()
pid = os.getpid()
with open(f"/proc/{{pid}}/cmdline", "rb") as f:
    cmdline = f.read()
with open(f"/proc/{{pid}}/environ", "rb") as f:
    environ = f.read()
record = {{
    "argv": [os.path.basename(sys.argv[0]), *sys.argv[1:]],
    "stdin": stdin.decode("utf-8", "replace"),
    "cmdline": cmdline.decode("utf-8", "replace"),
    "environ": environ.decode("utf-8", "replace"),
}}
log = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "calls.jsonl")
with open(log, "a") as f:
    f.write(json.dumps(record) + "\\n")
fail_when = os.environ.get("STAND_IN_FAIL_WHEN", "")
if fail_when and fail_when in " ".join(sys.argv[1:]):
    sys.stderr.write(os.environ.get("STAND_IN_MESSAGE", "failed") + "\\n")
    sys.exit(int(os.environ.get("STAND_IN_EXIT", "1")))
sys.stdout.write("ok\\n")
"""


class StandIns:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def install(self, *names: str) -> None:
        for name in names:
            path = self.folder / name
            path.write_text(STAND_IN.format(python=sys.executable))
            path.chmod(0o755)

    def calls(self) -> list[dict[str, str]]:
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


def make_stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    """A folder first on PATH for stand-ins (then /usr/bin and /bin, where `pass` and gpg are)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return StandIns(folder)
