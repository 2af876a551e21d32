"""docs/api.md and the service's /v1/openapi.json list the same endpoints, so neither drifts."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from ticos_tui.service import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_METHODS = ("get", "post", "put", "patch", "delete")
# A row of the Endpoints table: | `METHOD /v1/path` | ...
_ROW = re.compile(r"^\|\s*`(GET|POST|PUT|PATCH|DELETE) (/v1/[^`\s]*)`\s*\|", re.MULTILINE)


def documented() -> set[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Endpoints\n", 1)[1].split("\n## ", 1)[0]
    return {(method, path) for method, path in _ROW.findall(section)}


@pytest.fixture
def served_openapi(tmp_path: Path) -> dict[str, object]:
    async def fetch() -> dict[str, object]:
        transport = httpx.ASGITransport(app=create_app(tmp_path / "data"))
        async with httpx.AsyncClient(transport=transport, base_url="http://ticos.local") as http:
            answer = await http.get("/v1/openapi.json")
        assert answer.status_code == 200
        return dict(answer.json())

    return asyncio.run(fetch())


def test_docs_and_openapi_list_the_same_endpoints(served_openapi: dict[str, object]) -> None:
    paths = served_openapi["paths"]
    assert isinstance(paths, dict)
    in_openapi = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in _METHODS
    }
    in_docs = documented()
    assert len(in_docs) >= 10  # the table was found and read
    assert in_openapi - in_docs == set(), "in openapi.json but not in docs/api.md"
    assert in_docs - in_openapi == set(), "in docs/api.md but not in openapi.json"


def test_docs_name_the_contract_version(served_openapi: dict[str, object]) -> None:
    info = served_openapi["info"]
    assert isinstance(info, dict)
    major_minor = ".".join(str(info["version"]).split(".")[:2])
    assert DOC.read_text(encoding="utf-8").splitlines()[0].endswith(f"(v{major_minor})")
