"""The one way ticos-tui runs git: on a repository it does not trust, so none of its config runs code.

The leak scan reads whole repositories with it; the .env writer asks it whether a file is
tracked or ignored.

A repository's own `.git/config` (and `.gitattributes`) can name programs for git to run:
`core.fsmonitor`, hooks, pagers, external diff and textconv drivers, filters, `gpg.program`
(via `log.showSignature`), transports for a lazy fetch of missing objects. We only
read, so every such setting is switched off on the command line, which overrides any
config file. The user's own global and system config stay in force (they are theirs, and
may hold `safe.directory`); git's refusal of a repository owned by someone else stands.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Any

GIT_TIMEOUT = 120

# `-c` settings given before every git command the scan runs. Command-line config wins
# over every config file, including the repository's.
_HARDENING = (
    "core.fsmonitor=false",  # the fsmonitor hook is a program named by the repository
    f"core.hooksPath={os.devnull}",  # no hook, whatever the command
    "core.pager=cat",
    "core.untrackedCache=false",  # nothing read from or written to a cache we did not check
    "core.quotePath=false",
    "log.showSignature=false",  # it would run gpg.program on signed commits
    "protocol.allow=never",  # a partial clone would fetch missing objects (ssh, ext::…)
    # Nor may the repository narrow what the history scan sees.
    "log.follow=false",
    "diff.relative=false",
    # diff.external is not set here: an empty value makes git try to run "" and fail.
    # `--no-ext-diff` (below) is the switch that ignores it and diff.<driver>.command.
)
# Options every diffing command (`log` with a diff) gets, so no driver or filter runs.
DIFF_OPTIONS = ("--no-ext-diff", "--no-textconv", "--no-color")

# Set for every git the scan runs: no prompt for credentials, no index refresh written
# back, and the objects as they are (a `refs/replace/` entry cannot hide a commit).
_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_PAGER": "cat",
    "GIT_NO_LAZY_FETCH": "1",
}


def git_command(directory: str, *args: str, literal_pathspecs: bool = True) -> list[str]:
    """argv for `git <args>` run in `directory` with the repository's code-running settings off.

    Pathspecs are literal (a file named `*.txt` means that file), except for commands that
    reject the option (`check-ignore` takes paths, not pathspecs).
    """
    command = ["git", "--no-pager", "-C", directory]
    if literal_pathspecs:
        command.insert(2, "--literal-pathspecs")
    for setting in _HARDENING:
        command += ["-c", setting]
    return [*command, *args]


def git_env() -> dict[str, str]:
    """The environment for `git_command`: ours, with the settings above."""
    return {**os.environ, **_ENV}


def run_git(
    directory: str, *args: str, timeout: float = GIT_TIMEOUT, literal_pathspecs: bool = True
) -> subprocess.CompletedProcess[bytes] | None:
    """`git <args>` in `directory`, output captured; None when git cannot be run or times out."""
    try:
        return subprocess.run(
            git_command(directory, *args, literal_pathspecs=literal_pathspecs),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=git_env(),
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def popen_git(directory: str, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """`git <args>` in `directory` as a running process (raises OSError when git cannot run)."""
    return subprocess.Popen(git_command(directory, *args), env=git_env(), **kwargs)


def git_toplevel(directory: str) -> str | None:
    """The root of the git work tree holding `directory`, or None (not in one, or no git)."""
    done = run_git(directory, "rev-parse", "--show-toplevel")
    if done is None or done.returncode != 0:
        return None
    top = os.fsdecode(done.stdout).rstrip("\n")
    return top or None
