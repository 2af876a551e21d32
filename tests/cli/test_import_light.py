"""`import ticos_tui.cli` (and building its parser) must not load httpx, the service or Textual."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from ticos_tui.cli import build_parser
from ticos_tui.cli.handler import Handler

HEAVY = (
    "httpx",
    "starlette",
    "uvicorn",
    "sqlite3",
    "textual",
    # The service's package and its option constants are light; what serves is not.
    "ticos_tui.service.app",
    "ticos_tui.service.store",
    "ticos_tui.service.run.server",
    "ticos_tui.tui",
    "psycopg",
    "psycopg_pool",
)


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout.split()


def test_importing_the_cli_is_light() -> None:
    assert loaded_after("import ticos_tui.cli") == []


def test_building_the_parser_and_help_is_light() -> None:
    code = (
        "import contextlib, io\nfrom ticos_tui import cli\ncli.build_parser()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    cli.main(['keys', '--help'])"
    )
    assert loaded_after(code) == []


def test_the_embedded_service_never_loads_the_postgresql_driver(tmp_path) -> None:
    # The TUI's service (SQLite) and `serve` without --database-url run without psycopg.
    code = (
        "import asyncio, httpx\nfrom ticos_tui.service import create_app\n"
        "from ticos_tui.service.bootstrap import local_session_token\n"
        f"d = {str(tmp_path)!r}\nt = local_session_token(d)\napp = create_app(d)\n"
        "async def go():\n"
        "    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),"
        " base_url='http://t') as c:\n"
        "        r = await c.get('/v1/api-keys', headers={'Authorization': 'Bearer ' + t})\n"
        "        assert r.status_code == 200, r.text\n"
        "asyncio.run(go())\n"
        "import sys\nprint(' '.join(m for m in ('psycopg', 'psycopg_pool') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.split() == []


def test_config_review_and_chart_are_light() -> None:
    code = (
        "import ticos_tui.settings.config, ticos_tui.settings.credentials, "
        "ticos_tui.core.review, ticos_tui.core.usagechart"
    )
    assert loaded_after(code) == []


# What only a subcommand uses: `ticos-tui` alone must not import it before Textual. (The TUI
# imports `present` and `review` itself, after Textual; the others it never needs. `credentials`
# is needed only for a remote server's stored login, which TICOS_TOKEN below makes unnecessary.)
SUBCOMMANDS_ONLY = (
    # The scanner (the parser loads only `ticos_tui.cli.scan.options`).
    "ticos_tui.cli.scan.command",
    "ticos_tui.cli.scan.scanner",
    "ticos_tui.cli.scan.detect",
    "ticos_tui.cli.scan.walk",
    "ticos_tui.cli.scan.history",
    "ticos_tui.cli.scan.check",
    "ticos_tui.cli.accounts",
    "ticos_tui.cli.keys",
    "ticos_tui.cli.key_table",
    "ticos_tui.settings.credentials",
    "ticos_tui.core.present",
    "ticos_tui.core.review",
    "ticos_tui.core.usagechart",
    "getpass",
)
REACHED_THE_TUI = "REACHED-THE-TUI"


def loaded_before_the_tui(argv: list[str]) -> list[str]:
    """The modules `main(argv)` has imported when it first imports the TUI app (or Textual).

    The real path, stopped at that import, on a terminal (the TUI refuses without one).
    """
    probe = f"""
import os, sys
del os.fork
report = os.fdopen(os.dup(1), "w")
_master, terminal = os.openpty()
os.dup2(terminal, 0)
os.dup2(terminal, 1)

class StopAtTheTui:
    def find_spec(self, name, path=None, target=None):
        if name == "ticos_tui.tui" or name.partition(".")[0] == "textual":
            print({REACHED_THE_TUI!r}, name, *sys.modules, file=report, flush=True)
            os._exit(0)
        return None

sys.meta_path.insert(0, StopAtTheTui())
from ticos_tui.cli import main
main({argv!r})
"""
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    marker, reached, *modules = proc.stdout.split() or [""]
    assert marker == REACHED_THE_TUI and reached == "ticos_tui.tui", proc.stdout + proc.stderr
    return modules


def test_the_tui_path_imports_no_subcommand_before_textual(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TICOS_TOKEN", "tk_not-read-by-this-test")
    for argv in (
        [],
        ["--data-dir", str(tmp_path / "data")],
        ["--timeout", "5", "--data-dir", str(tmp_path / "data")],
        ["--base-url", "http://127.0.0.1:9", "--timeout", "5"],
    ):
        modules = loaded_before_the_tui(argv)
        # The probe did run the path: settings resolved.
        assert "ticos_tui.settings.config" in modules
        early = sorted(
            m for m in modules if any(m == s or m.startswith(s + ".") for s in SUBCOMMANDS_ONLY)
        )
        assert early == [], (argv, early)


def leaf_commands(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, Any]]:
    """(the command line, its `func`) of every command that runs something."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups or not groups[0].required:
        yield path or "(no command)", parser.get_default("func")
    for group in groups:
        for name, sub in group.choices.items():
            yield from leaf_commands(sub, f"{path} {name}".strip())


def test_every_command_names_a_function_that_exists() -> None:
    # Handlers are module and function names, looked up only when a command runs: a typo in
    # one would otherwise surface only when someone runs that command.
    commands = dict(leaf_commands(build_parser()))
    assert {"(no command)", "keys list", "keys review", "scan", "accounts create"} <= set(commands)
    for line, func in commands.items():
        function = func.resolve() if isinstance(func, Handler) else func
        assert callable(function), line
        if isinstance(func, Handler):
            assert (function.__module__, function.__name__) == (func.module, func.name), line
