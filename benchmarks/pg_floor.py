"""`python -m benchmarks.pg_floor PORT DATABASE_URL`: the PostgreSQL floor of the verify benchmark.

A bare ASGI app under uvicorn with the settings of the hello-world floor, answering every request
with one `SELECT` by primary key through the store's own pool (`PgStore.one`: the same pool, the
same checks), so `verify` on PostgreSQL can be compared with what one query per request costs on
this stack.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn

from ticos_tui.service.store.postgres import PgStore


def floor_app(database_url: str) -> Any:
    store = PgStore.open(database_url)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        row = await store.one("SELECT id, name FROM accounts WHERE id = %s", ("acc_floor",))
        body = json.dumps({"found": row is not None}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    return app


def main(argv: list[str]) -> int:
    port, database_url = int(argv[0]), argv[1]
    uvicorn.run(floor_app(database_url), host="127.0.0.1", port=port, access_log=False,
                log_level="warning", lifespan="off")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
