"""Keys in git history: git filters every ref's patches, Python reads only the matching ones."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator

from ticos_tui.scan.detect import Finding, find_keys

# git's own regex (POSIX ERE) narrows `git log -p` to the file changes that add or
# remove something shaped like a key, so Python never walks the rest of the history.
_GIT_KEY_REGEX = "tk_[0-9A-Za-z]{38}"
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


class HistoryUnavailable(Exception):
    """git could not read the history (not a repository, git missing, or git failed)."""


def scan_history(path: str) -> Iterator[Finding]:
    """Keys added by any commit reachable from any ref (`git log -p --all`) under `path`.

    Each finding names the commit, the file (as a path from the current folder) and
    the line in that commit's version of the file.
    """
    directory, pathspec = (
        (path, ".")
        if os.path.isdir(path)
        else (os.path.dirname(path) or ".", os.path.basename(path))
    )
    top = _toplevel(directory)
    command = [
        "git",
        "--literal-pathspecs",  # a file named `*.py` or `:x` means just that file
        "-C",
        directory,
        "-c",
        "core.quotePath=false",
        "log",
        "-p",
        "--all",
        "--text",  # a key in a binary file is a leak too
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--format=commit %H",
        "-G",
        _GIT_KEY_REGEX,
        "--",
        pathspec,
    ]
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise HistoryUnavailable(f"cannot run git: {exc.strerror or exc}") from exc
        assert proc.stdout is not None
        try:
            yield from _parse_log(proc.stdout, top)
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            message = os.fsdecode(errors.read()).strip().splitlines()
            raise HistoryUnavailable(message[-1] if message else f"git log failed ({code})")


def _toplevel(directory: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", directory, "rev-parse", "--show-toplevel"],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise HistoryUnavailable(f"cannot run git: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        raise HistoryUnavailable(f"not in a git repository: {directory}")
    return os.fsdecode(done.stdout).rstrip("\n")


def _parse_log(stream: Iterator[bytes], top: str) -> Iterator[Finding]:
    commit: str | None = None
    path: str | None = None
    line_no = 0
    in_hunk = False
    for raw in stream:
        if in_hunk:
            first = raw[:1]
            if first == b"+":
                if path is not None and b"tk_" in raw:
                    for _, key in find_keys(raw, 1):
                        yield Finding(path=path, line=line_no, key=key, commit=commit)
                line_no += 1
                continue
            if first == b" ":
                line_no += 1
                continue
            if first in (b"-", b"\\"):
                continue
            in_hunk = False
        if raw.startswith(b"commit "):
            commit = raw[7:].strip().decode("ascii", "replace")
            path = None
        elif raw.startswith(b"diff "):
            path = None
        elif raw.startswith(b"+++ "):
            path = _shown_path(raw[4:].rstrip(b"\r\n"), top)
        elif raw.startswith(b"@@ "):
            hunk = _HUNK.match(raw)
            if hunk is not None:
                line_no = int(hunk.group(1))
                in_hunk = True


def _shown_path(field: bytes, top: str) -> str | None:
    if field == b"/dev/null":
        return None
    if field.startswith(b'"') and field.endswith(b'"'):
        field = _unquote(field[1:-1])
    if field.startswith(b"b/"):
        field = field[2:]
    full = os.path.join(top, os.fsdecode(field))
    try:
        return os.path.relpath(full)
    except ValueError:  # another drive on Windows
        return full


def _unquote(body: bytes) -> bytes:
    """git's C-style quoting of odd file names, undone."""
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\" or i + 1 >= len(body):
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif body[i + 1 : i + 4].isdigit():
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out += nxt
            i += 2
    return bytes(out)
