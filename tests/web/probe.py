"""A stand-in for the TUI child, and a launcher for a web server that runs it.

`probe.py child [--stubborn]` speaks textual-serve's packet protocol: it reports its pid and the
terminal size it was started with, then echoes each resize and each key it receives, as JSON data
packets the websocket client reads. `--stubborn` ignores SIGTERM, the quit request and the end of
its input (the children the issue found alive). `probe.py serve PORT SESSIONS TIMEOUT [--stubborn]`
runs `ticos_tui.cli.web.build_server` with that child: the server code under test, without a TUI.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys


def _say(message: dict[str, object]) -> None:
    payload = json.dumps(message).encode()
    sys.stdout.buffer.write(b"D" + len(payload).to_bytes(4, "big") + payload)
    sys.stdout.buffer.flush()


def child(stubborn: bool) -> None:
    if stubborn:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stdout.buffer.write(b"__GANGLION__\n")
    _say({"pid": os.getpid(), "size": [int(os.environ["COLUMNS"]), int(os.environ["ROWS"])]})
    stdin = sys.stdin.buffer
    while len(head := stdin.read(5)) == 5:
        payload = stdin.read(int.from_bytes(head[1:], "big"))
        if head[:1] == b"D":
            _say({"stdin": payload.decode()})
            continue
        meta = json.loads(payload)
        if meta["type"] == "resize":
            _say({"size": [meta["width"], meta["height"]]})
        elif meta["type"] == "quit" and not stubborn:
            return
    while stubborn:
        signal.pause()


def serve(port: int, max_sessions: int, header_timeout: float, stubborn: bool) -> None:
    from ticos_tui.cli.web import build_server
    from ticos_tui.cli.web.guard import load_token

    argv = [sys.executable, os.path.abspath(__file__), "child"]
    command = shlex.join(argv + (["--stubborn"] if stubborn else []))
    url = f"http://127.0.0.1:{port}"
    server = build_server(
        command,
        "127.0.0.1",
        port,
        url=url,
        token=load_token(None),
        max_sessions=max_sessions,
        header_timeout=header_timeout,
    )
    server.serve()


if __name__ == "__main__":
    stubborn = "--stubborn" in sys.argv
    if sys.argv[1] == "child":
        child(stubborn)
    else:
        serve(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), stubborn)
