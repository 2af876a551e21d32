"""textual-serve's server with the web mode's guards hooked into its aiohttp app.

Kept from textual-serve: the page, its assets, the download route and the websocket protocol.
Added: the guard middleware (Host/Origin, token or cookie), the security headers on every
response, a cap on concurrent sessions, clamped terminal sizes, malformed frames logged on one
line, children that end with their socket (sessions.Session), a header timeout, and an access
log without query strings.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.server import Server

from ticos_tui.cli.web.guard import (
    OneLineFormatter,
    access_logger_class,
    add_security_headers,
    guard_middleware,
)
from ticos_tui.cli.web.sessions import Session, parse_frame, query_size

log = logging.getLogger("textual-serve")

MAX_FRAME = 64 * 1024  # bytes in one browser frame (keys typed, a paste)


class GuardedServer(Server):
    """The TUI served to browsers, answering only requests that carry this launch's secret."""

    def __init__(
        self,
        command: str,
        *,
        token: str,
        allowed: Any,
        max_sessions: int,
        header_timeout: float,
        announce: str,
        **options: Any,
    ) -> None:
        super().__init__(command, **options)
        self.token = token
        self.allowed = allowed  # headers -> bool: see ticos_tui.cli.web.request_allowed
        self.max_sessions = max_sessions
        self.header_timeout = header_timeout
        self.announce = announce
        self.sessions: set[Session] = set()

    def initialize_logging(self) -> None:
        # textual-serve logs through rich with tracebacks *and local variables*; here every
        # record is one plain line on stdout.
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(OneLineFormatter())
        logging.basicConfig(level="INFO", handlers=[handler], force=True)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(guard_middleware(self.token, self.port, self.allowed))
        app.on_response_prepare.append(add_security_headers)
        return app

    async def on_startup(self, app: web.Application) -> None:
        print(self.announce, file=sys.stderr, flush=True)  # the only place the token is shown

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(session.stop() for session in list(self.sessions)))

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            print=None,
            # aiohttp closes a connection that has not delivered a whole request this many
            # seconds after opening (or after its last response): half-sent requests are cut.
            keepalive_timeout=self.header_timeout,
            access_log_class=access_logger_class(),
        )

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            frame = parse_frame(message.data)
            if frame is None:
                # Never the frame itself: it may hold typed keys.
                log.warning("ignored a malformed frame (%d characters)", len(message.data))
                continue
            kind, data = frame
            if kind == "stdin":
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize":
                await app_service.set_terminal_size(*data)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if len(self.sessions) >= self.max_sessions:
            log.warning("refused a session: %d are open (--max-sessions)", len(self.sessions))
            raise web.HTTPServiceUnavailable(
                text=f"{self.max_sessions} sessions are open already; close one and reload."
            )
        width, height = query_size(request.query)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_FRAME)

        async def close() -> None:
            await websocket.close()

        session = Session(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
        )
        self.sessions.add(session)
        try:
            await websocket.prepare(request)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a session's failure is logged, and the others carry on
            log.error("a session ended with an error", exc_info=error)
        finally:
            try:
                await session.stop()
            finally:
                self.sessions.discard(session)
        return websocket
