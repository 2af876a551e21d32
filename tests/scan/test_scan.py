"""`ticos-tui scan`: only valid-checksum keys are reported, in every kind of file, never whole."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticos_tui import cli
from ticos_tui.cli.scan.check import check_findings
from ticos_tui.cli.scan.detect import Finding, find_keys, scan_file
from ticos_tui.cli.scan.options import add_scan_parser
from ticos_tui.cli.scan.scanner import scan_paths
from ticos_tui.cli.scan.walk import compile_ignore_pattern
from ticos_tui.core.keyformat import BASE62, generate_key, is_well_formed_key, snippet
from ticos_tui.core.models import VerifyResult
from ticos_tui.core.sanitize import visible


def broken(key: str) -> str:
    """`key` with one checksum char changed: the right shape, a wrong checksum."""
    last = "B" if key[-1] == "A" else "A"
    return key[:-1] + last


def lookalikes() -> list[str]:
    """Strings near the key format that must never be reported."""
    key = generate_key()
    return [
        broken(generate_key()),
        "tk_" + key[3:-1],  # one char short
        key + "Z",  # one char long (the checksum is then off by position too)
        "x" + generate_key(),  # glued on the left
        "_" + generate_key(),
        generate_key() + "_x",  # glued on the right
        "TK_" + generate_key()[3:],
        "tk-" + generate_key()[3:],
    ]


@pytest.fixture(autouse=True)
def plain_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Git without the developer's global or system config (hooks, signing, noprefix…)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }.items():
        monkeypatch.setenv(name, value)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def repo(work: Path) -> Path:
    git(work, "init", "-q", "-b", "main")
    return work


def scan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["scan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def reported(out: str) -> list[str]:
    """`path:line` of every finding line."""
    return sorted(line.split(": ", 1)[0] for line in out.splitlines() if line.strip())


def plant_everything(folder: Path) -> dict[str, str]:
    """Valid keys in text, binary and minified files, with lookalikes around them."""
    keys = {name: generate_key() for name in ("text", "binary", "minified", "nested")}
    noise = "\n".join(lookalikes())
    (folder / "config.py").write_text(
        f"# settings\n{noise}\nAPI_KEY = '{keys['text']}'\n{noise}\n", encoding="utf-8"
    )
    (folder / "blob.bin").write_bytes(
        bytes(range(256)) * 40 + b"\x00\xff" + keys["binary"].encode() + b"\x00" + os.urandom(4096)
    )
    minified = ";".join(f"var a{i}='{x}'" for i, x in enumerate(lookalikes() * 200))
    minified += f";var k='{keys['minified']}';" + "x=1;" * 50_000
    (folder / "app.min.js").write_text(minified, encoding="utf-8")
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "sub" / "deeper" / "env").write_text(
        f"\n\n\nTICOS_API_KEY={keys['nested']}\r\n", encoding="utf-8"
    )
    (folder / "only-lookalikes.txt").write_text("\n".join(lookalikes() * 10), encoding="utf-8")
    return keys


def test_reports_valid_keys_in_text_binary_minified_files_only(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant_everything(work)
    code, out, err = scan(capsys, "--offline")
    assert code == 1
    assert reported(out) == ["app.min.js:1", "blob.bin:41", "config.py:10", "sub/deeper/env:4"]
    assert "4 keys found (4 unchecked)" in err
    assert "--offline" in err


def test_git_repo_honours_gitignore_unless_no_ignore(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plant_everything(repo)
    (repo / ".gitignore").write_text("secrets.env\nbuild/\n*.log\n!keep.log\n", encoding="utf-8")
    (repo / "secrets.env").write_text(generate_key(), encoding="utf-8")
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text(generate_key(), encoding="utf-8")
    (repo / "debug.log").write_text(generate_key(), encoding="utf-8")
    (repo / "keep.log").write_text(generate_key(), encoding="utf-8")
    git(repo, "add", "config.py", ".gitignore")
    git(repo, "commit", "-qm", "init")

    code, out, _ = scan(capsys, "--offline")
    visible_files = [
        "app.min.js:1",
        "blob.bin:41",
        "config.py:10",
        "keep.log:1",
        "sub/deeper/env:4",
    ]
    assert code == 1
    assert reported(out) == visible_files

    code, out, _ = scan(capsys, "--offline", "--no-ignore")
    assert reported(out) == sorted(
        [*visible_files, "build/out.txt:1", "debug.log:1", "secrets.env:1"]
    )


def test_git_repo_never_reads_dot_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".git" / "planted").write_text(generate_key(), encoding="utf-8")
    assert scan(capsys, "--offline", "--no-ignore")[0] == 0
    assert scan(capsys, "--offline")[0] == 0


def test_outside_git_gitignore_files_are_honoured(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / ".gitignore").write_text(
        "# comment\n/top-only.txt\n*.secret\nvendor/\n!important.secret\n", encoding="utf-8"
    )
    (work / "sub").mkdir()
    (work / "sub" / ".gitignore").write_text("local.txt\n", encoding="utf-8")
    for rel in (
        "top-only.txt",
        "sub/top-only.txt",
        "a.secret",
        "important.secret",
        "vendor/lib.py",
        "sub/vendor/lib.py",
        "sub/local.txt",
        "local.txt",
        "plain.txt",
    ):
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"k = {generate_key()}\n", encoding="utf-8")
    (work / ".git").mkdir()  # a stray .git folder that is not a repository is still skipped
    (work / ".git" / "x").write_text(generate_key(), encoding="utf-8")

    code, out, _ = scan(capsys, "--offline")
    assert code == 1
    assert reported(out) == [
        "important.secret:1",
        "local.txt:1",
        "plain.txt:1",
        "sub/top-only.txt:1",
    ]
    _, out, _ = scan(capsys, "--offline", "--no-ignore")
    assert len(reported(out)) == 9


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "matches"),
    [
        ("*.log", "a/b/c.log", False, True),
        ("/root.txt", "a/root.txt", False, False),
        ("/root.txt", "root.txt", False, True),
        ("docs/*.md", "docs/a.md", False, True),
        ("docs/*.md", "docs/x/a.md", False, False),
        ("**/cache", "a/b/cache", True, True),
        ("a/**/z", "a/z", False, True),
        ("a/**/z", "a/b/c/z", False, True),
        ("out/", "out", False, False),
        ("out/", "x/out", True, True),
        ("file[0-9].txt", "file7.txt", False, True),
        ("file[!0-9].txt", "file7.txt", False, False),
        ("\\#hash", "#hash", False, True),
        ("name\\ ", "name ", False, True),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, is_dir: bool, matches: bool) -> None:
    rule = compile_ignore_pattern(pattern)
    assert rule is not None
    hit = rule.regex.fullmatch(path) is not None and (is_dir or not rule.dir_only)
    assert hit is matches


def test_history_finds_a_key_committed_then_deleted(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key()
    (repo / "notes").mkdir()
    (repo / "notes" / "todo.txt").write_text("one\ntwo\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    (repo / "notes" / "todo.txt").write_text(f"one\ntwo\nkey: {key}\n", encoding="utf-8")
    (repo / "notes" / "fake.txt").write_text(broken(generate_key()), encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "oops")
    leaked_in = git(repo, "rev-parse", "HEAD").strip()
    (repo / "notes" / "todo.txt").write_text("one\ntwo\n", encoding="utf-8")
    git(repo, "commit", "-qam", "remove the key")

    code, out, _ = scan(capsys, "--offline")
    assert code == 0  # the work tree is clean now

    code, out, _ = scan(capsys, "--offline", "--history")
    assert code == 1
    assert out.strip() == f"{leaked_in[:12]}:notes/todo.txt:3: {snippet(key)} unchecked"
    assert key not in out

    code, out, _ = scan(capsys, "--offline", "--history", "--json")
    (finding,) = json.loads(out)["findings"]
    assert (finding["commit"], finding["path"], finding["line"]) == (leaked_in, "notes/todo.txt", 3)


def test_history_on_another_branch_and_in_a_binary(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "readme").write_text("hi\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    git(repo, "checkout", "-qb", "side")
    key = generate_key()
    (repo / "image.bin").write_bytes(b"\x00\x01\x02" + key.encode() + b"\x00\xff")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "binary with a key")
    git(repo, "checkout", "-q", "main")

    code, out, _ = scan(capsys, "--offline", "--history")
    assert code == 1
    assert f"image.bin:1: {snippet(key)}" in out


def test_history_needs_git(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = scan(capsys, "--history", "--offline")
    assert code == 2
    assert "git repository" in err


@pytest.mark.parametrize("chunk_size", [64, 97, 128])
def test_key_across_a_chunk_boundary_is_found_once(tmp_path: Path, chunk_size: int) -> None:
    key = generate_key()
    glued = generate_key()
    for offset in range(chunk_size - 50, chunk_size + 3):
        path = tmp_path / f"f{offset}"
        # A line before, the key at `offset`, and a glued lookalike further on,
        # so every boundary position is crossed by a good and a bad candidate.
        head = b"\n" + b"." * (offset - 1)
        tail = b" " * 30 + b"\n" + glued.encode() + b"x" + b" " * 200
        path.write_bytes(head + key.encode() + tail)
        found = list(scan_file(str(path), chunk_size=chunk_size))
        assert [(f.line, f.key) for f in found] == [(2, key)], offset


def test_glued_across_a_chunk_boundary_is_not_reported(tmp_path: Path) -> None:
    key = generate_key().encode()
    for offset in range(60, 70):
        path = tmp_path / f"g{offset}"
        path.write_bytes(b" " * offset + key + b"Q" + b" " * 100)
        assert list(scan_file(str(path), chunk_size=64)) == []
        path.write_bytes(b" " * (offset - 1) + b"Q" + key + b" " * 100)
        assert list(scan_file(str(path), chunk_size=64)) == []


def test_large_file_keys_and_line_numbers(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = [f"line {i} " + "".join(rng.choices(BASE62, k=60)) for i in range(60_000)]
    keys = {}
    for at in (0, 12_345, 59_999):
        keys[at] = generate_key()
        lines[at] += f" {keys[at]}"
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    found = list(scan_file(str(path), chunk_size=256 * 1024))  # about 20 chunks
    assert [(f.line, f.key) for f in found] == [(at + 1, k) for at, k in keys.items()]


def test_output_never_holds_the_full_key(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = plant_everything(repo)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "leak")
    for flags in ([], ["--json"], ["--history"], ["--history", "--json"]):
        code, out, err = scan(capsys, "--offline", *flags)
        assert code == 1
        for key in keys.values():
            assert key not in out + err
            assert snippet(key) in out or (flags and "--json" in flags)
    finding = next(scan_paths(["config.py"]))
    assert finding.key == keys["text"]
    assert keys["text"] not in repr(finding) + str(finding)


def test_exit_codes(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "clean.txt").write_text("nothing here tk_ but tk_short\n", encoding="utf-8")
    assert scan(capsys, "--offline")[0] == 0
    assert scan(capsys, "--offline", "clean.txt")[0] == 0
    code, _, err = scan(capsys, "--offline", "missing.txt")
    assert code == 2
    assert "no such file" in err
    assert scan(capsys, "--no-such-flag")[0] == 2
    (work / "leak.txt").write_text(generate_key(), encoding="utf-8")
    assert scan(capsys, "--offline", "clean.txt")[0] == 0
    assert scan(capsys, "--offline", "clean.txt", "leak.txt")[0] == 1


def test_explicit_files_are_scanned_even_when_ignored(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit passes the staged file names: each named file is read.
    (repo / ".gitignore").write_text("*.env\n", encoding="utf-8")
    (repo / "x.env").write_text(generate_key(), encoding="utf-8")
    assert scan(capsys, "--offline")[0] == 0
    code, out, _ = scan(capsys, "--offline", "x.env")
    assert code == 1
    assert reported(out) == ["x.env:1"]


def test_unreadable_file_is_reported_and_skipped(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticos_tui.cli.scan import scanner

    (work / "locked.txt").write_text(generate_key(), encoding="utf-8")
    (work / "open.txt").write_text("fine\n", encoding="utf-8")
    real_scan_file = scanner.scan_file

    def scan_file(path: str, **kwargs: object):
        if path.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", path)
        return real_scan_file(path, **kwargs)  # type: ignore[arg-type]

    # chmod 000 would not stop root, so the refusal is simulated.
    monkeypatch.setattr(scanner, "scan_file", scan_file)
    code, _, err = scan(capsys, "--offline")
    assert code == 1  # a file that could not be read may hold a key: the scan did not pass
    assert "cannot read locked.txt: Permission denied" in err
    assert "1 file" in err


def test_no_false_positives_on_random_base62_text() -> None:
    rng = random.Random(20261126)
    alphabet = BASE62 + "_ \n=:'\"-"
    chunks = []
    for _ in range(2000):
        chunks.append("".join(rng.choices(alphabet, k=rng.randint(0, 400))))
        # Key-shaped strings with random (so almost surely wrong) checksums.
        chunks.append("tk_" + "".join(rng.choices(BASE62, k=rng.choice([37, 38, 38, 38, 39]))))
    data = " ".join(chunks).encode()
    assert len(data) > 400_000
    assert list(find_keys(data)) == []


@settings(max_examples=150, deadline=None)
@given(
    before=st.binary(max_size=200),
    after=st.binary(max_size=200),
    noise=st.text(alphabet=BASE62 + "_", max_size=80),
)
def test_every_report_is_a_valid_key_and_a_separated_key_is_found(
    before: bytes, after: bytes, noise: str
) -> None:
    key = generate_key()
    data = before + b" " + key.encode() + b"\n" + noise.encode() + after
    found = [k for _, k in find_keys(data)]
    assert key in found
    assert all(is_well_formed_key(k) for k in found)


async def test_check_findings_verifies_each_distinct_key_once() -> None:
    live, dead, gone = generate_key(), generate_key(), generate_key()
    findings = [
        Finding("a", 1, live),
        Finding("b", 2, dead),
        Finding("c", 3, live),
        Finding("d", 4, gone),
    ]
    calls: list[str] = []

    async def verify(key: str) -> VerifyResult:
        calls.append(key)
        if key == live:
            return VerifyResult(valid=True, key_id="key_live")
        return VerifyResult(valid=False, reason="revoked" if key == dead else "expired")

    checked, problem = await check_findings(findings, verify)
    assert problem is None
    assert sorted(calls) == sorted([live, dead, gone])
    assert [(f.status, f.key_id) for f in checked] == [
        ("active", "key_live"),
        ("revoked", None),
        ("active", "key_live"),
        ("expired", None),
    ]
    assert [f.blocking for f in checked] == [True, False, True, False]


async def test_check_findings_stops_after_the_service_fails() -> None:
    from ticos_tui.core.errors import ConnectionFailed

    findings = [Finding(str(i), 1, generate_key()) for i in range(10)]
    calls = 0

    async def verify(key: str) -> VerifyResult:
        nonlocal calls
        calls += 1
        raise ConnectionFailed("cannot reach http://127.0.0.1:9 (refused)")

    checked, problem = await check_findings(findings, verify, concurrency=1)
    assert calls == 1
    assert problem == "cannot reach http://127.0.0.1:9 (refused)"
    assert {f.status for f in checked} == {"unchecked"}


async def test_check_findings_hides_unexpected_error_text() -> None:
    key = generate_key()

    async def verify(k: str) -> VerifyResult:
        raise RuntimeError(f"body was {k}")

    (finding,), problem = await check_findings([Finding("a", 1, key)], verify)
    assert finding.status == "unchecked"
    assert problem is not None and key not in problem


def test_statuses_from_the_embedded_service(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ticos_tui.settings.config import resolve_settings
    from ticos_tui.wiring import open_client

    async def make_keys() -> tuple[str, str, str]:
        client = open_client(resolve_settings())
        try:
            active = await client.create_key("CI deploy")
            revoked = await client.create_key("old script")
            await client.revoke_key(revoked.api_key.id)
            return active.key, active.api_key.id, revoked.key
        finally:
            await client.aclose()

    active, active_id, revoked = asyncio.run(make_keys())
    unknown = generate_key()
    (work / "dead.py").write_text(f"KEY = '{revoked}'\n", encoding="utf-8")
    code, out, _ = scan(capsys, "dead.py")
    assert (code, out) == (0, f"dead.py:1: {snippet(revoked)} revoked\n")

    (work / "live.py").write_text(f"A = '{active}'\nB = '{unknown}'\n", encoding="utf-8")
    code, out, err = scan(capsys)
    assert code == 1
    assert out.splitlines() == [
        f"dead.py:1: {snippet(revoked)} revoked",
        f"live.py:1: {snippet(active)} active — revoke it: ticos-tui keys revoke {active_id}",
        f"live.py:2: {snippet(unknown)} unknown",
    ]
    assert "1 active, 1 unknown, 1 revoked" in err
    code, out, _ = scan(capsys, "--json")
    doc = json.loads(out)
    assert doc["findings"][1]["revoke_command"] == f"ticos-tui keys revoke {active_id}"
    for key in (active, revoked, unknown):
        assert key not in out


def test_unreachable_service_leaves_keys_unchecked(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "a.txt").write_text(generate_key(), encoding="utf-8")
    code, out, err = scan(capsys, "--base-url", "http://127.0.0.1:9")
    assert code == 1
    assert out.endswith(" unchecked\n")
    assert err.count("not checked") == 1


def test_bad_base_url_is_a_usage_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = scan(capsys, "--base-url", "ftp://nope")
    assert code == 2
    assert "http" in err


def test_the_scan_parser_keeps_options_given_before_the_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="ticos-tui")
    parser.add_argument("--base-url")
    sub = parser.add_subparsers(dest="command")
    add_scan_parser(sub)
    args = parser.parse_args(["--base-url", "http://a", "scan", "x"])
    assert (args.base_url, args.paths, args.command) == ("http://a", ["x"], "scan")
    args = parser.parse_args(["scan", "--base-url", "http://b", "--data-dir", "d", "--history"])
    assert (args.base_url, args.data_dir, args.history) == ("http://b", "d", True)
    help_text = sub.choices["scan"].format_help()
    assert "pre-commit" in help_text and "exit status" in help_text


def test_importing_the_scan_stays_light() -> None:
    code = (
        "import sys, ticos_tui.cli.scan.command, ticos_tui.cli.scan.scanner; "
        "heavy = [m for m in ('httpx', 'textual', 'starlette', 'sqlite3') if m in sys.modules]; "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_main_cli_runs_scan(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "a.txt").write_text(generate_key(), encoding="utf-8")
    code = cli.main(["scan", "--offline"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out.startswith("a.txt:1: tk_")


# --- git trust: scanning a repository never runs its code -------------------------------------


def planted_script(folder: Path, name: str) -> tuple[Path, Path]:
    """An executable that creates a marker file (and passes stdin through): (script, marker)."""
    marker = folder / f"ran-{name}"
    script = folder / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat\n", encoding="utf-8")
    script.chmod(0o755)
    return script, marker


def signed_looking_commit(repo: Path) -> None:
    """A commit carrying a `gpgsig` header, so a `log.showSignature` config would call gpg."""
    raw = git(repo, "cat-file", "commit", "HEAD")
    head, _, message = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----"
    forged = f"{head}\n{signature}\n\n{message}"
    done = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--stdin"],
        input=forged,
        capture_output=True,
        text=True,
        check=True,
    )
    git(repo, "update-ref", "refs/heads/signed", done.stdout.strip())


def plant_fsmonitor(repo: Path, script: Path) -> None:
    git(repo, "config", "core.fsmonitor", str(script))


def plant_hooks(repo: Path, script: Path) -> None:
    hooks = repo / "hooks-here"
    hooks.mkdir()
    for name in (
        "post-index-change",
        "reference-transaction",
        "post-checkout",
        "pre-commit",
        "fsmonitor-watchman",
        "pre-auto-gc",
    ):
        for folder in (hooks, repo / ".git" / "hooks"):
            (folder / name).write_bytes(script.read_bytes())
            (folder / name).chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))


def plant_external_diff(repo: Path, script: Path) -> None:
    git(repo, "config", "diff.external", str(script))


def plant_diff_driver(repo: Path, script: Path) -> None:
    (repo / ".git" / "info" / "attributes").write_text(
        "* diff=evil filter=evil\n", encoding="utf-8"
    )
    for name in ("diff.evil.textconv", "diff.evil.command", "filter.evil.clean"):
        git(repo, "config", name, str(script))
    git(repo, "config", "filter.evil.smudge", str(script))
    git(repo, "config", "filter.evil.process", str(script))


def plant_pager(repo: Path, script: Path) -> None:
    for name in ("core.pager", "pager.log", "pager.ls-files", "pager.rev-parse"):
        git(repo, "config", name, str(script))


def plant_gpg(repo: Path, script: Path) -> None:
    signed_looking_commit(repo)
    git(repo, "config", "log.showSignature", "true")
    git(repo, "config", "gpg.program", str(script))


@pytest.mark.parametrize(
    "plant",
    [
        plant_fsmonitor,
        plant_hooks,
        plant_external_diff,
        plant_diff_driver,
        plant_pager,
        plant_gpg,
    ],
)
def test_scanning_a_repository_never_runs_its_code(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], plant: object
) -> None:
    key = generate_key()
    (repo / "app.txt").write_text(f"one\nk = {key}\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "leak")
    (repo / "app.txt").write_text("one\n", encoding="utf-8")  # a work-tree change to diff
    script, marker = planted_script(tmp_path, plant.__name__)  # type: ignore[attr-defined]
    plant(repo, script)  # type: ignore[operator]

    for flags in ([], ["--history"], ["app.txt"], ["--history", "app.txt"]):
        code, out, err = scan(capsys, "--offline", *flags)
        assert not marker.exists(), (flags, err)
        if "--history" in flags:
            assert code == 1, err
            assert f"app.txt:2: {snippet(key)}" in out


# --- history: merges, messages, tags --------------------------------------------------------------


def commit_file(repo: Path, name: str, text: str, message: str) -> str:
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_history_finds_a_key_added_only_in_a_merge_resolution(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    side_key, resolved_key = generate_key(), generate_key()
    commit_file(repo, "conf.txt", "a\nb\n", "first")
    git(repo, "checkout", "-qb", "side")
    side = commit_file(repo, "conf.txt", f"a\nside {side_key}\n", "side")
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "conf.txt", "a\nmain\n", "main")
    subprocess.run(["git", "-C", str(repo), "merge", "-q", "side"], capture_output=True)
    # The conflict resolved by hand with a new key that neither side had.
    (repo / "conf.txt").write_text(f"a\nmerged {resolved_key}\n{side_key}\n", encoding="utf-8")
    git(repo, "commit", "-qam", "merge side")
    merge = git(repo, "rev-parse", "HEAD").strip()
    commit_file(repo, "conf.txt", "a\n", "remove both keys")

    assert scan(capsys, "--offline")[0] == 0
    code, out, _ = scan(capsys, "--offline", "--history")
    assert code == 1
    # Each key once, where it entered: the side key is not reported again at the merge.
    assert sorted(out.splitlines()) == sorted(
        [
            f"{merge[:12]}:conf.txt:2: {snippet(resolved_key)} unchecked",
            f"{side[:12]}:conf.txt:2: {snippet(side_key)} unchecked",
        ]
    )


def test_history_finds_keys_in_commit_and_annotated_tag_messages(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_commit, in_tag, in_light = generate_key(), generate_key(), generate_key()
    sha = commit_file(repo, "a.txt", "x\n", f"subject\n\nbody\ndeploy with {in_commit}\n")
    git(repo, "tag", "-a", "v1.0", "-m", f"release\n\ntoken {in_tag}")
    git(repo, "tag", "light")  # a lightweight tag has no message of its own
    commit_file(repo, "b.txt", "y\n", f"plain subject {in_light}")
    second = git(repo, "rev-parse", "HEAD").strip()

    assert scan(capsys, "--offline")[0] == 0
    code, out, _ = scan(capsys, "--offline", "--history")
    assert code == 1
    assert sorted(out.splitlines()) == sorted(
        [
            f"commit {sha[:12]} message:4: {snippet(in_commit)} unchecked",
            f"commit {second[:12]} message:1: {snippet(in_light)} unchecked",
            f"tag v1.0 message:3: {snippet(in_tag)} unchecked",
        ]
    )
    code, out, _ = scan(capsys, "--offline", "--history", "--json")
    places = {(f["source"], f["commit"], f["tag"], f["line"]) for f in json.loads(out)["findings"]}
    assert places == {
        ("commit message", sha, None, 4),
        ("commit message", second, None, 1),
        ("tag message", None, "v1.0", 3),
    }


# --- odd file names are reported exactly -----------------------------------------------------------

ODD_NAMES = ["my file.txt", 'it\'s "q".txt', "tab\there.txt", "new\nline.txt", "back\\slash.txt"]


def odd_name_files(repo: Path) -> dict[str, str]:
    """A key in each oddly named file: {shown name: key}. Adds a non-UTF-8 name where allowed."""
    planted: dict[str, str] = {}
    names: list[str | bytes] = [*ODD_NAMES]
    if sys.platform.startswith("linux"):
        names.append(b"caf\xe9.txt")
    for name in names:
        key = generate_key()
        path = os.path.join(os.fsencode(repo), os.fsencode(name))
        with open(path, "wb") as fh:
            fh.write(f"k = {key}\n".encode())
        planted[visible(os.fsdecode(name))] = key
    return planted


def test_odd_file_names_are_reported_exactly(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = odd_name_files(repo)
    expected = sorted(f"{name}:1: {snippet(key)} unchecked" for name, key in planted.items())
    code, out, _ = scan(capsys, "--offline")
    assert code == 1
    assert sorted(out.splitlines()) == expected
    assert "my file.txt:1: " in out and 'it\'s "q".txt:1: ' in out and "tab␉here.txt" in out

    git(repo, "add", ".")
    git(repo, "commit", "-qm", "odd names")
    sha = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "rm", "-q", "*.txt")
    git(repo, "commit", "-qm", "gone")
    code, out, _ = scan(capsys, "--offline", "--history")
    assert code == 1
    assert sorted(out.splitlines()) == sorted(f"{sha[:12]}:{line}" for line in expected)

    code, out, _ = scan(capsys, "--offline", "--history", "--json")
    paths = sorted(f["path"] for f in json.loads(out)["findings"])
    assert paths == sorted(
        [*ODD_NAMES, *(["caf\udce9.txt"] if sys.platform.startswith("linux") else [])]
    )


# --- unreadable files fail the scan ---------------------------------------------------------------


def test_a_file_that_cannot_be_read_fails_the_scan(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/proc/self/mem is a regular file whose read fails with EIO (address 0 is unmapped): for root too.

    chmod 000 would not stop root, so this is a file the kernel itself refuses to read.
    """
    (work / "fine.txt").write_text("nothing\n", encoding="utf-8")
    mem = "/proc/self/mem"
    code, out, err = scan(capsys, "--offline", "fine.txt", mem)
    assert code == 1
    assert out == ""
    assert f"ticos-tui scan: cannot read {mem}: Input/output error\n" in err
    assert err.count("cannot read") == 1
    code, out, _ = scan(capsys, "--offline", "--json", "fine.txt", mem)
    assert code == 1
    assert json.loads(out)["unreadable"] == [{"path": mem, "reason": "Input/output error"}]


def test_a_folder_that_cannot_be_listed_fails_the_scan(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside git the scan walks folders itself; one it cannot list may hold keys.

    chmod 000 would not stop root, so listing `locked/` is refused in-process: os.scandir
    raises PermissionError for that one folder, as it does for a user without access.
    """
    (work / "locked").mkdir()
    (work / "locked" / "secret.txt").write_text(generate_key(), encoding="utf-8")
    (work / "open.txt").write_text("fine\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(os.path.normpath(path)) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = scan(capsys, "--offline")
    assert code == 1
    assert out == ""
    assert "ticos-tui scan: cannot read locked: Permission denied\n" in err
    assert "1 not read (listed above), so the scan is incomplete" in err


def test_the_summary_counts_distinct_keys_and_the_places_apart(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One key in three places and one in one place: 2 keys, 4 places (issue 20 item 11)."""
    once, thrice = generate_key(), generate_key()
    (work / "a.env").write_text(f"K={thrice}\nL={thrice}\n", encoding="utf-8")
    (work / "b.py").write_text(f"k = '{thrice}'\nj = '{once}'\n", encoding="utf-8")
    code, out, err = scan(capsys, "--offline")
    assert code == 1
    assert len(reported(out)) == 4
    assert "2 keys found in 4 places (2 unchecked)" in err


@pytest.mark.parametrize("given", ["absolute", "relative"])
def test_tree_and_history_write_a_path_the_same_way(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, given: str
) -> None:
    """One rule (issue 20 item 11): a path is the folder as given, then the file under it; run
    from another folder, the tree said /abs/repo/… and the history ../repo/…"""
    key = generate_key()
    (repo / "sub").mkdir()
    (repo / "sub" / "app.env").write_text(f"KEY={key}\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "leak")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = str(repo) if given == "absolute" else os.path.relpath(repo)
    _, tree, _ = scan(capsys, "--offline", "--json", target)
    _, history, _ = scan(capsys, "--offline", "--json", "--history", target)
    [in_tree] = json.loads(tree)["findings"]
    [in_history] = [f for f in json.loads(history)["findings"] if f["commit"] is not None]
    assert in_tree["path"] == in_history["path"] == os.path.join(target, "sub", "app.env")


def test_no_data_folder_is_said_with_where_it_looked_and_nothing_is_created(
    work: Path, isolated_env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A pre-commit run on a machine where ticos-tui never ran (issue 20 item 11): before, it
    made an empty service in the user's data folder and called every key unknown to it."""
    data = isolated_env["data"]
    assert not data.exists()
    key = generate_key()
    (work / "app.env").write_text(f"KEY={key}\n", encoding="utf-8")
    code, out, err = scan(capsys, "app.env")
    assert code == 1  # a key that could not be checked still stops the commit
    assert "unchecked" in out
    assert f"no ticos-tui data folder at {data}" in err
    assert "TICOS_HOME" in err and "--base-url" in err
    assert not data.exists()
