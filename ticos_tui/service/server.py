"""`ticos-tui serve`: the service over HTTP with uvicorn."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from ticos_tui.paths import data_dir as default_data_dir


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but a Ctrl-C or SIGTERM ends `serve` with a return, not a re-raise.

        uvicorn re-raises the signal after its graceful shutdown, which kills the process with
        status 143 before `serve` can return its exit code.
        """

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server


def serve(host: str = "127.0.0.1", port: int = 8765, data_dir: Path | None = None) -> int:
    """Serve the app until Ctrl-C or SIGTERM; returns the process exit code."""
    import uvicorn

    from ticos_tui.service.app import create_app
    from ticos_tui.service.bootstrap import local_session_token, token_path

    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        local_session_token(folder)
        app = create_app(folder)
    except (OSError, RuntimeError) as exc:
        print(f"ticos-tui serve: cannot open the data folder {folder}: {exc}", file=sys.stderr)
        return 1
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Ticos service on http://{shown_host}:{port}/v1", flush=True)
    print(f"Session token of the local account: {token_path(folder)}", flush=True)
    # No access log: it would be a line per request on the hot path, and nothing here may ever
    # print request headers. uvicorn handles SIGINT/SIGTERM with a graceful shutdown, which runs
    # the app's lifespan exit (flushes pending key uses, closes the database).
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level="warning", lifespan="on"
    )
    server = _server_class()(config)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    if not server.started:
        print(f"ticos-tui serve: could not listen on {host}:{port}", file=sys.stderr)
        return 1
    return 0
