"""API keys in raw bytes: a literal-prefix regex over large chunks, checksums on candidates only."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from ticos_tui.core.keyformat import KEY_LEN, KEY_PATTERN, is_well_formed_key, snippet

# `KEY_PATTERN` starts with a lookbehind, which stops `re` from using its fast
# literal-prefix search (about 80 MB/s instead of GB/s). So candidates are found
# by this prefix-first pattern and each one is then confirmed with
# `KEY_PATTERN.match(buf, pos)`, whose lookbehind still sees the byte before `pos`.
_CANDIDATE = re.compile(rb"tk_[0-9A-Za-z]{38}")

CHUNK_SIZE = 8 * 1024 * 1024
# What the next chunk must repeat: a whole key plus the byte before it, so a key
# across a boundary, and the boundary check on its left, are both seen again.
_CARRY = KEY_LEN + 1

# Exit-code policy: only a key the service says is dead lets the scan pass.
DEAD_STATUSES = frozenset({"revoked", "expired"})
STATUSES = ("active", "unknown", "unchecked", "revoked", "expired")
SOURCES = ("file", "commit message", "tag message")


@dataclass(frozen=True, slots=True)
class Finding:
    """One key found at `path:line` (and in `commit` for history); the key itself is never shown.

    `source` says where: a file, or the message of `commit` or of the annotated tag
    `tag` (then `line` counts lines of the message and `path` is empty).
    """

    path: str
    line: int
    key: str = field(repr=False)
    commit: str | None = None
    status: str = "unchecked"
    key_id: str | None = None
    source: str = "file"  # one of SOURCES
    tag: str | None = None

    @property
    def snippet(self) -> str:
        return snippet(self.key)

    @property
    def blocking(self) -> bool:
        """True unless the service said this key can no longer be used."""
        return self.status not in DEAD_STATUSES

    @property
    def place(self) -> str:
        """Where the key is, for people: `commit:path:line`, or a message and its line."""
        if self.source == "tag message":
            return f"tag {self.tag} message:{self.line}"
        if self.source == "commit message":
            return f"commit {(self.commit or '')[:12]} message:{self.line}"
        where = f"{self.commit[:12]}:" if self.commit else ""
        return f"{where}{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.place}: {self.snippet}"


def find_keys(
    data: bytes | bytearray | memoryview, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, str]]:
    """(offset, key) for each valid-checksum key in `data[start:end]` not glued to word chars.

    The bytes after `end` (if any) are used only for the right-boundary check.
    """
    stop = len(data) if end is None else end
    for match in _CANDIDATE.finditer(data, start, stop):
        pos = match.start()
        # `finditer` was bounded at `stop`, so re-match against the whole buffer
        # to see the byte after the key.
        if KEY_PATTERN.match(data, pos) is None:
            continue
        key = match.group().decode("ascii")
        if is_well_formed_key(key):
            yield pos, key


def scan_bytes(data: bytes, path: str, *, commit: str | None = None) -> Iterator[Finding]:
    """Every key in an in-memory blob, with 1-based line numbers."""
    line, counted_to = 1, 0
    for pos, key in find_keys(data):
        line += data.count(b"\n", counted_to, pos)
        counted_to = pos
        yield Finding(path=path, line=line, key=key, commit=commit)


@dataclass(slots=True)
class ScanStats:
    """How much a scan read, and what it could not read."""

    files: int = 0
    bytes: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def scan_file(
    path: str,
    display: str | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    stats: ScanStats | None = None,
) -> Iterator[Finding]:
    """Every key in one file, read in chunks that overlap by a key's length so none is cut in two.

    Binary files are scanned like text: a key in a binary is still a leak.
    """
    shown = path if display is None else display
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        if stats is not None:
            stats.files += 1
            stats.bytes += size
        if size <= chunk_size:
            # The common case: one read, no carry bookkeeping.
            yield from scan_bytes(fh.read(), shown)
            return
        yield from _scan_stream(fh, shown, chunk_size)


def _scan_stream(fh: IO[bytes], shown: str, chunk_size: int) -> Iterator[Finding]:
    buf = b""
    search_from = 0  # where new candidates may start in `buf` (carry bytes were searched already)
    lines_before = 0  # newlines in the file before `buf[0]`
    while True:
        chunk = fh.read(chunk_size)
        at_eof = not chunk
        buf = buf + chunk if buf else chunk
        if not buf:
            return
        # Until EOF, a candidate touching the end of `buf` can't be judged (the byte
        # after it is unread): leave it to the next round, which re-reads the carry.
        limit = len(buf) if at_eof else len(buf) - 1
        counted_to, line = 0, lines_before + 1
        for pos, key in find_keys(buf, search_from):
            if pos + KEY_LEN > limit:
                break
            line += buf.count(b"\n", counted_to, pos)
            counted_to = pos
            yield Finding(path=shown, line=line, key=key)
        if at_eof:
            return
        keep = min(_CARRY, len(buf))
        lines_before += buf.count(b"\n", 0, len(buf) - keep)
        buf = buf[len(buf) - keep :]
        # The first carried byte is only context for the left boundary.
        search_from = 1 if keep == _CARRY else 0


def is_regular_file(path: str, *, follow_symlinks: bool) -> bool:
    try:
        return stat.S_ISREG(os.stat(path, follow_symlinks=follow_symlinks).st_mode)
    except OSError:
        return False
