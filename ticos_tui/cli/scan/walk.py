"""Which files a scan reads: git's view of a work tree, or a `.gitignore`-aware walk outside git."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ticos_tui.cli.scan.detect import is_regular_file
from ticos_tui.core.safegit import git_toplevel, run_git


def iter_files(
    paths: Sequence[str],
    *,
    no_ignore: bool = False,
    unreadable: list[tuple[str, str]] | None = None,
) -> Iterator[str]:
    """Every regular file under `paths`, each once, as a path usable both to open and to show.

    A directory inside a git work tree lists what `git ls-files -co --exclude-standard`
    lists (tracked files, and untracked ones that are not ignored); elsewhere its
    `.gitignore` files are honoured by a walk of our own. `.git/` is never read.
    A file named explicitly is always scanned: that is how pre-commit passes them.
    With `no_ignore`, every file is read, ignored or not. A folder that cannot be
    listed is added to `unreadable` as (path, why).
    """
    seen: set[str] = set()
    for arg in paths:
        if os.path.isdir(arg):
            candidates = _directory_files(arg, no_ignore=no_ignore, unreadable=unreadable)
        elif is_regular_file(arg, follow_symlinks=True):
            candidates = iter([os.path.normpath(arg)])
        else:
            continue  # a FIFO or device would block or never end
        for path in candidates:
            if path in seen:
                continue
            seen.add(path)
            yield path


def _directory_files(
    directory: str, *, no_ignore: bool, unreadable: list[tuple[str, str]] | None
) -> Iterator[str]:
    if no_ignore:
        for rel in _walk(directory, "", [], use_ignore_files=False, unreadable=unreadable):
            yield shown_path(directory, rel)
        return
    top = git_toplevel(directory)
    if top is None:
        for rel in _walk(directory, "", [], use_ignore_files=True, unreadable=unreadable):
            yield shown_path(directory, rel)
        return
    yield from _git_files(directory, top, unreadable)


def _git_files(directory: str, top: str, unreadable: list[tuple[str, str]] | None) -> Iterator[str]:
    done = run_git(directory, "ls-files", "-z", "-co", "--exclude-standard")
    if done is None or done.returncode != 0:
        for rel in _walk(directory, "", [], use_ignore_files=True, unreadable=unreadable):
            yield shown_path(directory, rel)
        return
    for raw in done.stdout.split(b"\0"):
        if not raw:
            continue
        path = shown_path(directory, os.fsdecode(raw).rstrip("/"))
        if os.path.isdir(path) and not os.path.islink(path):
            # A submodule or a nested repository: git lists it as one entry, its
            # own work tree says which of its files count.
            nested = git_toplevel(path)
            if nested is not None and os.path.realpath(nested) != os.path.realpath(top):
                yield from _git_files(path, nested, unreadable)
            continue
        # Symlinks are skipped: git stores the link, not what it points to.
        if is_regular_file(path, follow_symlinks=False):
            yield path


def shown_path(directory: str, rel: str) -> str:
    """How a file is written, in the tree and in the history alike: the folder as the user gave
    it (absolute or relative), then the file's path under it."""
    return os.path.normpath(os.path.join(directory, rel)) if rel else os.path.normpath(directory)


@dataclass(frozen=True, slots=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


@dataclass(frozen=True, slots=True)
class _IgnoreFile:
    base: str  # the folder holding the .gitignore, relative to the walk's root ("" for the root)
    rules: tuple[_Rule, ...]


def _walk(
    top: str,
    rel: str,
    ignores: list[_IgnoreFile],
    *,
    use_ignore_files: bool,
    unreadable: list[tuple[str, str]] | None,
) -> Iterator[str]:
    here = os.path.join(top, rel) if rel else top
    if use_ignore_files:
        loaded = _load_ignore_file(os.path.join(here, ".gitignore"), rel)
        if loaded is not None:
            ignores = [*ignores, loaded]
    try:
        with os.scandir(here) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        if unreadable is not None:
            unreadable.append((os.path.normpath(here), err.strerror or type(err).__name__))
        return
    for entry in entries:
        if entry.name == ".git":
            continue
        entry_rel = f"{rel}/{entry.name}" if rel else entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = not is_dir and entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if not (is_dir or is_file):
            continue  # symlinks, sockets, FIFOs (a FIFO would block the read)
        if ignores and is_ignored(entry_rel, is_dir, ignores):
            continue  # like git, an ignored folder is not entered at all
        if is_dir:
            yield from _walk(
                top, entry_rel, ignores, use_ignore_files=use_ignore_files, unreadable=unreadable
            )
        else:
            yield entry_rel


def is_ignored(rel: str, is_dir: bool, ignores: Sequence[_IgnoreFile]) -> bool:
    """Whether `rel` (a `/`-separated path from the walk's root) is ignored; the last match wins."""
    ignored = False
    for ignore in ignores:
        if ignore.base:
            if not rel.startswith(ignore.base + "/"):
                continue
            sub = rel[len(ignore.base) + 1 :]
        else:
            sub = rel
        for rule in ignore.rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(sub):
                ignored = not rule.negate
    return ignored


def _load_ignore_file(path: str, base: str) -> _IgnoreFile | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    rules = tuple(rule for rule in map(compile_ignore_pattern, lines) if rule is not None)
    return _IgnoreFile(base, rules) if rules else None


def compile_ignore_pattern(line: str) -> _Rule | None:
    """One `.gitignore` line as a rule (None for blanks and comments), following gitignore(5)."""
    if not line or line.startswith("#"):
        return None
    # Trailing spaces are dropped unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negate = False
    if line.startswith("!"):
        negate, line = True, line[1:]
    elif line.startswith(("\\!", "\\#")):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line  # a slash anywhere but the end ties the pattern to its folder
    line = line.lstrip("/")
    body = _translate(line)
    regex = body if anchored else f"(?:.*/)?{body}"
    return _Rule(re.compile(regex, re.DOTALL), negate, dir_only)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            whole_segment = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == n:
                    out.append(".*")  # `dir/**`: everything inside
                else:
                    out.append("(?:.*/)?")  # `**/`: zero or more folders
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            first = i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1
            close = pattern.find("]", first + 1)  # a `]` first in the set is literal
            if close == -1:
                out.append(re.escape(char))
                i += 1
                continue
            inner = pattern[i + 1 : close]
            negated = inner[:1] in ("!", "^")
            if negated:
                inner = inner[1:]
            inner = inner.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[{'^' if negated else ''}{inner}]")
            i = close + 1
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)
