"""`python -m ticos_tui.service`: serve the local Ticos service (same as `ticos-tui serve`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ticos_tui.cli.serve_options import add_serve_options, serve_options
from ticos_tui.service.run.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ticos_tui.service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=None)
    add_serve_options(parser)
    args = parser.parse_args(argv)
    try:
        options = serve_options(args)
    except ValueError as err:  # a bad TICOS_DATABASE_URL
        parser.error(str(err))
    return serve(args.host, args.port, args.data_dir, **options)


if __name__ == "__main__":
    raise SystemExit(main())
