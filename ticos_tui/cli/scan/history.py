"""Keys in git history: every commit's own changes (merges included), commit and tag messages.

git narrows the work: `git log -G` lists only the file changes that add or remove
something shaped like a key, and `--grep` only the commits whose message holds one.
Each candidate file is then read whole (`git cat-file --batch`) and a key counts as
added by a commit when none of its parents' versions of the file held it; so a key
introduced while resolving a merge is reported at the merge, and a key a merge only
brings in from a branch is reported once, at the commit on that branch.
All git output is NUL-separated or read as raw objects, so no file name is quoted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from types import TracebackType

from ticos_tui.cli.scan.detect import Finding, ScanStats, find_keys, scan_bytes
from ticos_tui.cli.scan.walk import shown_path
from ticos_tui.core.safegit import DIFF_OPTIONS, popen_git, run_git

# git's own regex (POSIX ERE) for something shaped like a key.
_GIT_KEY_REGEX = "tk_[0-9A-Za-z]{38}"
_NO_OBJECT = frozenset({b"0" * 40, b"0" * 64})
_GITLINK = b"160000"  # a submodule's commit: not an object of this repository
_READ_SIZE = 1 << 16


class HistoryUnavailable(Exception):
    """git could not read the history (not a repository, git missing, or git failed)."""


def scan_history(path: str, stats: ScanStats | None = None) -> Iterator[Finding]:
    """Keys added by any commit reachable from any ref (`git log --all`) to files under `path`.

    Each finding names the commit, the file (written as the tree writes it: under `path` as
    given) and the line in that commit's version of the file. A file version git cannot read
    is listed in `stats.unreadable`.
    """
    directory, pathspec = (
        (path, ".")
        if os.path.isdir(path)
        else (os.path.dirname(path) or ".", os.path.basename(path))
    )
    top = toplevel(directory)
    log = [
        "log",
        "--all",
        "--root",  # the first commit's files are added too, whatever log.showRoot says
        "-c",  # a merge: only the paths that differ from every parent
        "--raw",
        "-z",
        "--no-abbrev",
        "-M",
        "--text",  # a key in a binary file is a leak too
        *DIFF_OPTIONS,
        "--format=commit %H",
        "-G",
        _GIT_KEY_REGEX,
        "--",
        pathspec,
    ]
    with _Objects(directory) as objects:
        for commit, name, blob, parents in _changes(_run(directory, log)):
            keys = objects.keys(blob)
            before = set().union(*(objects.keys(parent) or () for parent in parents))
            if keys is None:
                if stats is not None:
                    where = f"{commit}:{_shown_path(name, top, directory)}"
                    stats.unreadable.append((where, "missing from the repository"))
            elif not keys <= before:
                shown = _shown_path(name, top, directory)
                for finding in scan_bytes(objects.read(blob) or b"", shown, commit=commit):
                    if finding.key not in before:
                        yield finding


def scan_messages(directory: str) -> Iterator[Finding]:
    """Keys in the message of any commit reachable from any ref, and of any annotated tag."""
    log = ["log", "--all", "--format=%H", "--extended-regexp", f"--grep={_GIT_KEY_REGEX}"]
    refs = ["for-each-ref", "--format=%(objecttype) %(objectname) %(refname)"]
    with _Objects(directory) as objects:
        for line in b"".join(_run(directory, log)).split(b"\n"):
            if line:
                commit = line.decode("ascii")
                for finding in _message_keys(objects.read(commit)):
                    yield Finding("", finding.line, finding.key, commit, source="commit message")
        for line in b"".join(_run(directory, refs)).split(b"\n"):
            kind, _, rest = line.partition(b" ")
            if kind != b"tag":
                continue
            sha, _, ref = rest.partition(b" ")
            tag = os.fsdecode(ref.removeprefix(b"refs/tags/"))
            for finding in _message_keys(objects.read(sha.decode("ascii"))):
                yield Finding("", finding.line, finding.key, tag=tag, source="tag message")


def toplevel(directory: str) -> str:
    """The root of the work tree holding `directory`; HistoryUnavailable (saying why) if none."""
    done = run_git(directory, "rev-parse", "--show-toplevel")
    if done is None:
        raise HistoryUnavailable("cannot run git")
    if done.returncode != 0:
        # git's own reason: not a repository, or one it refuses (owned by someone else).
        reason = os.fsdecode(done.stderr).strip().splitlines()
        raise HistoryUnavailable(reason[0] if reason else f"not in a git repository: {directory}")
    return os.fsdecode(done.stdout).rstrip("\n")


def _message_keys(raw: bytes | None) -> Iterator[Finding]:
    """Keys in a raw commit or tag object's message (what follows its headers), by message line."""
    if raw is None or b"tk_" not in raw:
        return
    _, _, message = raw.partition(b"\n\n")
    yield from scan_bytes(message, "")


def _run(directory: str, args: list[str]) -> Iterator[bytes]:
    """git's stdout in blocks; HistoryUnavailable (with git's last error line) if it fails."""
    import tempfile

    with tempfile.TemporaryFile() as errors:
        try:
            proc = popen_git(
                directory, args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
            )
        except OSError as exc:
            raise HistoryUnavailable(f"cannot run git: {exc.strerror or exc}") from exc
        assert proc.stdout is not None
        try:
            while block := proc.stdout.read(_READ_SIZE):
                yield block
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            message = os.fsdecode(errors.read()).strip().splitlines()
            raise HistoryUnavailable(message[-1] if message else f"git failed ({code})")


def _tokens(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The NUL-separated fields of `git log -z` output."""
    rest = b""
    for block in blocks:
        fields = (rest + block).split(b"\0")
        rest = fields.pop()
        yield from fields
    if rest:
        yield rest


def _changes(blocks: Iterable[bytes]) -> Iterator[tuple[str, bytes, str, list[str]]]:
    """(commit, path, new blob, parents' blobs) for each file change in `git log --raw -z -c`.

    A raw line is `:mode… sha… STATUS` with one colon per parent (`-c` combines a
    merge's parents on one line); then the path, or for a rename or copy (one parent
    only) the old path and the new one.
    """
    commit = ""
    tokens = _tokens(blocks)
    for token in tokens:
        header = token.lstrip(b"\n")
        if header.startswith(b"commit "):
            commit = header[7:].decode("ascii")
            continue
        if not header.startswith(b":"):
            continue
        parents = len(header) - len(header.lstrip(b":"))
        fields = header[parents:].split(b" ")
        modes, shas, status = fields[: parents + 1], fields[parents + 1 : -1], fields[-1]
        path = next(tokens, b"")
        if parents == 1 and status[:1] in (b"R", b"C"):
            path = next(tokens, b"")
        if len(shas) != parents + 1 or shas[-1] in _NO_OBJECT or modes[-1] == _GITLINK:
            continue  # a deletion, or a submodule
        old = [
            sha.decode("ascii")
            for sha, mode in zip(shas[:-1], modes[:-1], strict=True)
            if sha not in _NO_OBJECT and mode != _GITLINK
        ]
        yield commit, path, shas[-1].decode("ascii"), old


def _shown_path(name: bytes, top: str, directory: str) -> str:
    """`name` (from the repository's root `top`) as the tree writes it: under `directory` as
    given (`walk.shown_path`)."""
    full = os.path.join(top, os.fsdecode(name))
    try:
        rel = os.path.relpath(full, os.path.realpath(directory))
    except ValueError:  # another drive on Windows
        return full
    return shown_path(directory, rel)


class _Objects:
    """`git cat-file --batch`: raw objects by name, one request at a time."""

    _CACHED = 4096

    def __init__(self, directory: str) -> None:
        # The keys in recently seen blobs: a file's version is read as one commit's
        # result and again as its child's parent, so most are read once.
        self._keys: dict[str, frozenset[str]] = {}
        try:
            self._proc = popen_git(
                directory,
                ["cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise HistoryUnavailable(f"cannot run git: {exc.strerror or exc}") from exc

    def read(self, name: str) -> bytes | None:
        """The object's content, or None when the repository does not have it."""
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(name.encode("ascii") + b"\n")
            stdin.flush()
        except OSError as exc:
            raise HistoryUnavailable("git cat-file stopped") from exc
        header = stdout.readline()
        if not header:
            raise HistoryUnavailable("git cat-file stopped")
        parts = header.split()
        if len(parts) != 3:
            return None  # `<name> missing`
        data = stdout.read(int(parts[2]) + 1)  # the object, then a newline
        return data[:-1]

    def keys(self, blob: str) -> frozenset[str] | None:
        """The distinct keys in a blob, or None when the repository does not have it."""
        found = self._keys.get(blob)
        if found is None:
            data = self.read(blob)
            if data is None:
                return None
            found = frozenset(key for _, key in find_keys(data))
            if len(self._keys) >= self._CACHED:
                del self._keys[next(iter(self._keys))]
            self._keys[blob] = found
        return found

    def __enter__(self) -> _Objects:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
        self._proc.wait()
