"""Helpers shared by the CLI tests: a command's one error line, a created key, bash completions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from .conftest import Result

ERROR = re.compile(r"^ticos-tui: error: \S.*$")


def one_line_error(result: Result, code: int) -> str:
    assert result.code == code, result
    assert len(result.err_lines) == 1 and ERROR.match(result.err_lines[0]), result.err
    assert "Traceback" not in result.err
    return result.err


def create(cli, *args: str) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    result = cli("keys", "create", *args, "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    return data["key"], data


def bash_completions(script: Path, *words: str) -> list[str]:
    """COMPREPLY after sourcing `script` with the cursor at the end of `words`."""
    bash = shutil.which("bash")
    assert bash, "bash is needed for the completion test"
    quoted = " ".join(f"'{word}'" for word in words)
    program = (
        f"source '{script}'\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
        f'COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}\n'
        "$(complete -p ticos-tui | sed -E 's/.* -F ([^ ]+) .*/\\1/') ticos-tui\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()
