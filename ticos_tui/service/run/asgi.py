"""`ticos_tui.service.run.asgi:app`: the service for any ASGI server, configured by the environment.

    gunicorn -k uvicorn_worker.UvicornWorker -w 2 -b 127.0.0.1:8765 ticos_tui.service.run.asgi:app
    uvicorn ticos_tui.service.run.asgi:app --no-access-log --port 8765
    hypercorn ticos_tui.service.run.asgi:app

Settings (the environment is all a zero-argument entry point has):
    TICOS_HOME          the data folder (as for every command; else config.toml, else the default)
    TICOS_DATABASE_URL  a PostgreSQL database instead of the folder's SQLite file
    TICOS_LOG_LEVEL     debug, info (default: an access line per request), warning or error
    TICOS_LOG_FORMAT    text (default) or json
    TICOS_METRICS       1 to serve Prometheus metrics at /metrics (the `metrics` extra)

Each process builds its own app on its first ASGI event (the lifespan startup, or the first
request where the server runs no lifespan), never at import: a server that imports the module
before forking its workers (gunicorn --preload) must not hand them one shared database
connection. A configuration or database that cannot work fails the startup with its reason.

Unlike `ticos-tui serve`, this neither creates the local account and its session-token file
(create accounts with `ticos-tui accounts create`), nor refuses non-loopback Host headers (the
DNS-rebinding guard of a loopback `serve`): it is meant to run behind a proxy, where the Host is
the public name. Turn the server's own access log off (uvicorn: --no-access-log; gunicorn logs
none unless given --access-logfile): the access line is this app's, without query strings.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from ticos_tui.service.run.options import LOG_FORMATS, LOG_LEVELS, database_url_from_env

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


class ConfigurationError(RuntimeError):
    """An environment setting the entry point cannot work with; the message says which and why."""


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ConfigurationError(f"{name}={value!r}: use one of {', '.join(choices)}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value not in _TRUE + _FALSE:
        raise ConfigurationError(f"{name}={value!r}: use 1 (on) or 0 (off)")
    return value in _TRUE


def build(env: Mapping[str, str]) -> ASGIApp:
    """The observed service app for the settings in `env`; raises ConfigurationError or OSError."""
    from ticos_tui.service.app import create_app
    from ticos_tui.service.run.observe import (
        MetricsUnavailable,
        configure_logging,
        metrics_problem,
        observe_app,
    )
    from ticos_tui.settings.paths import data_dir

    level = _choice(env, "TICOS_LOG_LEVEL", LOG_LEVELS, "info")
    fmt = _choice(env, "TICOS_LOG_FORMAT", LOG_FORMATS, "text")
    metrics = _flag(env, "TICOS_METRICS")
    if metrics and (problem := metrics_problem()):
        raise MetricsUnavailable(f"TICOS_METRICS=1: {problem}")
    folder = data_dir(env=env)
    try:
        database_url = database_url_from_env(env)
    except ValueError as err:
        raise ConfigurationError(str(err)) from None
    service = create_app(folder, database_url=database_url)
    # The server's handlers may already route ticos_tui's records (a --log-config); else ours.
    package = logging.getLogger("ticos_tui")
    if not package.handlers:
        configure_logging(level, fmt, logger=package)
        package.propagate = False
    return observe_app(service, service.routes, metrics=metrics)


class LazyApp:
    """An ASGI app built from the environment on its first event, once per process."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._app: ASGIApp | None = None

    def _build(self) -> ASGIApp:
        if self._app is None:
            import os

            self._app = build(os.environ if self._env is None else self._env)
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is not None or scope["type"] != "lifespan":
            await self._build()(scope, receive, send)
            return
        # A failure inside the lifespan would read as "lifespan unsupported" to a server in its
        # auto mode, which would then serve an app that cannot answer: fail the startup instead.
        first = await receive()
        try:
            app = self._build()
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": f"ticos-tui: {exc}"})
            return
        replayed = [first]

        async def receive_again() -> Any:
            return replayed.pop() if replayed else await receive()

        await app(scope, receive_again, send)


app = LazyApp()
