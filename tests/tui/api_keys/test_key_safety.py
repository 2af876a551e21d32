"""The new key is never lost or leaked: honest copy messages, no key in a process's arguments, safe .env writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from ticos_tui.tui.api_keys.env_file import EnvFileDialog
from ticos_tui.tui.api_keys.key_created import KeyCreatedDialog
from ticos_tui.tui.dialogs import ConfirmDialog

from ..fakes import FIXED_KEY
from ..helpers import loaded, wait_until

CONFIRMED = "Copied the key to the system clipboard."
UNCONFIRMED = "Sent the key to your terminal's clipboard, which can't confirm it: paste it somewhere to check."


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of every process the app starts (through subprocess, as every route must)."""
    argvs: list[list[str]] = []
    real = subprocess.Popen

    class Recording(real):  # type: ignore[valid-type,misc]
        def __init__(self, args, *rest, **kwargs):
            argvs.append([os.fsdecode(a) for a in ([args] if isinstance(args, str) else args)])
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    return argvs


def fake_program(folder: Path, name: str, status: int) -> Path:
    """A clipboard program that records its argv and stdin beside itself and exits with `status`."""
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(program)!r} + '.argv', 'w').write(json.dumps(sys.argv))\n"
        f"open({str(program)!r} + '.stdin', 'wb').write(sys.stdin.buffer.read())\n"
        f"sys.exit({status})\n"
    )
    program.chmod(0o755)
    return program


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Wayland session whose PATH holds only the folder returned (empty until a test adds to it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    monkeypatch.delenv("DISPLAY", raising=False)
    return bin_dir


async def _created(pilot) -> KeyCreatedDialog:
    await loaded(pilot)
    await pilot.press("n", *"ci", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyCreatedDialog))
    return pilot.app.screen


def _status(dialog: KeyCreatedDialog) -> str:
    return str(dialog.query_one("#copy-status").render())


async def test_confirmed_copy_goes_through_stdin_and_closes_without_asking(
    fake_app, desktop: Path, spawned: list[list[str]]
) -> None:
    program = fake_program(desktop, "wl-copy", 0)
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: "clipboard" in _status(dialog))
        assert _status(dialog) == f"✓ {CONFIRMED}"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyCreatedDialog))
        assert not isinstance(app.screen, ConfirmDialog)
    assert Path(f"{program}.stdin").read_bytes() == FIXED_KEY.encode()
    assert FIXED_KEY not in Path(f"{program}.argv").read_text()
    assert any(Path(argv[0]).name == "wl-copy" for argv in spawned)
    assert not any(FIXED_KEY in arg for argv in spawned for arg in argv)


@pytest.mark.parametrize("press", ["c", "x"], ids=["key", "export-line"])
@pytest.mark.parametrize("program", [None, 1], ids=["no-program", "program-fails"])
async def test_unconfirmed_copy_says_so_and_keeps_the_close_guard(
    fake_app, desktop: Path, spawned: list[list[str]], press: str, program: int | None
) -> None:
    if program is not None:
        fake_program(desktop, "wl-copy", program)
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await pilot.press(press)
        await wait_until(pilot, lambda: "clipboard" in _status(dialog))
        what = "the key" if press == "c" else "an export line"
        assert _status(dialog) == "⚠ " + UNCONFIRMED.replace("the key", what)
        assert FIXED_KEY in (app.clipboard or "")  # sent to the terminal (OSC 52)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")  # go back: the key is still there
        await wait_until(pilot, lambda: app.screen is dialog)
        assert FIXED_KEY in str(dialog.query_one("#full-key").render())
    assert not any(FIXED_KEY in arg for argv in spawned for arg in argv)


async def test_klipper_is_never_used_because_it_takes_the_key_as_an_argument(
    fake_app, desktop: Path, monkeypatch: pytest.MonkeyPatch, spawned: list[list[str]]
) -> None:
    monkeypatch.delenv("WAYLAND_DISPLAY")
    monkeypatch.setenv("DISPLAY", ":99")
    qdbus = fake_program(desktop, "qdbus", 0)
    fake_program(desktop, "klipper", 0)
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _created(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: "clipboard" in _status(dialog))
        assert _status(dialog) == "⚠ " + UNCONFIRMED
    assert not any(FIXED_KEY in arg for argv in spawned for arg in argv)
    argv_file = Path(f"{qdbus}.argv")
    assert not argv_file.exists() or FIXED_KEY not in json.loads(argv_file.read_text())


async def _to_env_dialog(pilot) -> KeyCreatedDialog:
    dialog = await _created(pilot)
    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EnvFileDialog))
    return dialog


def _problem(app) -> str:
    return str(app.screen.query_one("#env-problem").render())


async def test_full_disk_keeps_the_file_and_the_key_dialog(
    fake_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_disk: Callable[..., None]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"A=1\n")
    full_disk(room=10)
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _to_env_dialog(pilot)
        await pilot.press("enter")  # the default path: ./.env
        await wait_until(pilot, lambda: "Not written" in _problem(app))
        assert "No space left on device" in _problem(app)
        assert isinstance(app.screen, EnvFileDialog)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is dialog)
        assert FIXED_KEY in str(dialog.query_one("#full-key").render())
        await pilot.press("escape")  # nothing was saved: closing still asks
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    assert (tmp_path / ".env").read_bytes() == b"A=1\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".env")] == [".env"]


async def test_env_with_invalid_utf8_is_appended_to_byte_for_byte(
    fake_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"GREETING=caf\xe9\n")
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await _to_env_dialog(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is dialog)
        assert "TICOS_API_KEY" in _status(dialog)
    assert (tmp_path / ".env").read_bytes() == b"GREETING=caf\xe9\nTICOS_API_KEY=" + (
        FIXED_KEY.encode() + b"\n"
    )


async def test_symlinked_env_is_refused_in_words(
    fake_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    (tmp_path / ".env").symlink_to(outside)
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _to_env_dialog(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Not written" in _problem(app))
        assert "symbolic link" in _problem(app)
    assert outside.read_text() == "keep\n"


@pytest.mark.parametrize(
    ("name", "why"),
    [("run.sh", "not a dotenv file name"), ("app.env", "is executable"), (".env", "2 hard links")],
)
async def test_a_file_that_is_not_a_dotenv_file_is_refused_in_words(
    fake_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, why: str
) -> None:
    """In web mode this is the server's disk: a script or a second name must survive unchanged."""
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755 if name != ".env" else 0o644)
    target = tmp_path / name
    if name == ".env":
        os.link(script, target)
    else:
        script.rename(target)
    before = target.stat()
    app = fake_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _to_env_dialog(pilot)
        app.screen.query_one("#env-path", Input).value = name
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Not written" in _problem(app))
        assert why in _problem(app)
    after = target.stat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert target.read_text() == "#!/bin/sh\necho hi\n"
