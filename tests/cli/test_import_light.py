"""`import ticos_tui.cli` (and building its parser) must not load httpx, the service or Textual."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "httpx",
    "starlette",
    "uvicorn",
    "sqlite3",
    "textual",
    "ticos_tui.service",
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
    code = "import ticos_tui.config, ticos_tui.review, ticos_tui.usagechart, ticos_tui.credentials"
    assert loaded_after(code) == []
