"""What a served instance tells its operator: one access-log line per request, and metrics.

`observed()` wraps the whole ASGI app (outside the app's own middleware, so the verify fast path,
the loopback-Host refusals and the app's errors are all seen). A request is named by its route
TEMPLATE (`/v1/api-keys/{key_id}`), never its path: a path may hold anything a client pasted,
a key included. Nothing here reads a header, a query string or a request body; the only body
read is the verify answer the service itself wrote, for the outcome counter.

Metrics are opt-in (`--metrics`, the `metrics` extra: prometheus-client) and kept in a registry
of their own per app, so several apps in one process (tests, workers) never share counters.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticos_tui.service.run.options import LOG_FORMATS, LOG_LEVELS

ACCESS_LOGGER = "ticos_tui.access"
METRICS_PATH = "/metrics"
METRICS_EXTRA = "pip install 'ticos-tui[metrics]'"
UNMATCHED = "unmatched"  # the route of a path no route takes: its text is never logged
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})
_VERIFY = "/v1/api-keys/verify"
_OUTCOME = re.compile(r"[a-z_]{1,32}", re.ASCII)
_CONVERTOR = re.compile(r"\{(\w+):\w+\}", re.ASCII)  # `{key_id:key_id}` -> `{key_id}`
# Latency buckets in seconds: a verify takes about a millisecond, a 1000-key page tens of them.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The fields of an access line, as attributes of its log record (and keys of its JSON object).
_ACCESS_FIELDS = ("method", "route", "status", "duration_ms", "client")

access_log = logging.getLogger(ACCESS_LOGGER)


class MetricsUnavailable(RuntimeError):
    """`--metrics` without prometheus-client installed."""


# -- logging --


_SECOND: list[Any] = [-1, ""]  # the last second formatted, and its text (one line per request)


def _timestamp(record: logging.LogRecord) -> str:
    second = int(record.created)
    if second != _SECOND[0]:
        _SECOND[:] = [second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S.")]
    return f"{_SECOND[1]}{int((record.created - second) * 1000):03d}Z"


class TextFormatter(logging.Formatter):
    """`2026-01-02T03:04:05.678Z INFO ticos_tui.access GET /v1/account 200 1.2ms client=…`."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and an access line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _ACCESS_FIELDS:
            if name in record.__dict__:
                data[name] = record.__dict__[name]
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    level: str = "info",
    fmt: str = "text",
    *,
    logger: logging.Logger | None = None,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send `logger`'s records (default: the root's, so the server's own too) to `stream`.

    One handler, replacing any this function added before; `level` also applies to the logger.
    """
    if level not in LOG_LEVELS:
        raise ValueError(f"log level {level!r}: use one of {', '.join(LOG_LEVELS)}")
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format {fmt!r}: use one of {', '.join(LOG_FORMATS)}")
    target = logger if logger is not None else logging.getLogger()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.set_name("ticos-tui")
    for old in [h for h in target.handlers if h.get_name() == "ticos-tui"]:
        target.removeHandler(old)
    target.addHandler(handler)
    target.setLevel(level.upper())
    return handler


# -- metrics --


def metrics_problem() -> str | None:
    """Why `--metrics` cannot work here (prometheus-client missing, with the fix), or None."""
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        return f"--metrics needs prometheus-client, which is not installed: {METRICS_EXTRA}"
    return None


class Metrics:
    """The Prometheus series of one app, in a registry of its own."""

    def __init__(self) -> None:
        problem = metrics_problem()
        if problem:
            raise MetricsUnavailable(problem)
        from prometheus_client import CollectorRegistry, Counter, Histogram
        from prometheus_client.process_collector import ProcessCollector

        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "ticos_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "ticos_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route template.",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.verify = Counter(
            "ticos_verify_outcomes",
            "Answered key verifications: valid, or why not (malformed, unknown, revoked, expired).",
            ("outcome",),
            registry=self.registry,
        )
        self.store_errors = Counter(
            "ticos_store_errors",
            "Answers of 503 because the store could not answer in time, by route template.",
            ("route",),
            registry=self.registry,
        )

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if status == 503:
            # The app answers 503 only for a store that could not answer (offloop.unavailable);
            # 503s past --limit-concurrency come from the server and never reach the app.
            self.store_errors.labels(route).inc()

    def verified(self, body: bytes) -> None:
        """Count a 200 verify answer by its outcome, read from the answer itself."""
        try:
            answer = json.loads(body)
            outcome = "valid" if answer.get("valid") is True else answer.get("reason")
        except (ValueError, AttributeError):
            outcome = None
        if not isinstance(outcome, str) or not _OUTCOME.fullmatch(outcome):
            outcome = "other"
        self.verify.labels(outcome).inc()


# -- the middleware --


def _client(scope: Scope) -> str:
    """The client's address (the forwarded one behind a named proxy), or `unknown`."""
    client = scope.get("client")
    return _address(client[0]) if client else "unknown"


@functools.lru_cache(maxsize=4096)  # parsing an address costs more than the rest of the line
def _address(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:  # never log free text from a header here
        return "unknown"


class Observed:
    """Access log and metrics around `app`; `routes` name each request by its template."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        *,
        access: bool,
        metrics: Metrics | None,
        guard: Callable[[ASGIApp], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.access = access
        self.metrics = metrics
        # /metrics is answered here, behind the same guard as the app (the loopback-Host check).
        self.scrape = guard(self._scrape) if guard is not None else self._scrape
        self.templates = [
            (route.path_regex, _CONVERTOR.sub(r"{\1}", route.path))
            for route in routes
            if hasattr(route, "path_regex") and hasattr(route, "path")
        ]

    def route_of(self, scope: Scope) -> str:
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if path == _VERIFY:  # answered by the fast path before any routing
            return _VERIFY
        if self.metrics is not None and path == METRICS_PATH:
            return METRICS_PATH
        for regex, template in self.templates:
            if regex.match(path):
                return template
        return UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        route = self.route_of(scope)
        status = 0
        verify_body: list[bytes] | None = (
            [] if self.metrics is not None and route == _VERIFY else None
        )

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif verify_body is not None and status == 200:
                verify_body.append(message.get("body", b""))
            await send(message)

        try:
            if route == METRICS_PATH and method in ("GET", "HEAD"):
                await self.scrape(scope, receive, watch)
            else:
                await self.app(scope, receive, watch)
        except BaseException:
            status = status or 500
            raise
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.observe(method, route, status, seconds)
                if verify_body:
                    self.metrics.verified(b"".join(verify_body))
            if self.access and access_log.isEnabledFor(logging.INFO):
                ms = round(seconds * 1000, 2)
                client = _client(scope)
                fields = {"method": method, "route": route, "status": status}
                # The record made and handled directly: Logger.info would first walk the stack
                # for the caller's file and line, which no access line shows.
                access_log.handle(
                    access_log.makeRecord(
                        ACCESS_LOGGER,
                        logging.INFO,
                        "",
                        0,
                        "%s %s %d %.2fms client=%s",
                        (method, route, status, ms, client),
                        None,
                        extra={**fields, "duration_ms": ms, "client": client},
                    )
                )

    async def _scrape(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.metrics is not None
        method = scope["method"]
        body, content_type = self.metrics.exposition()
        headers = [
            (b"content-type", content_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


def observe_app(
    app: ASGIApp,
    routes: Sequence[BaseRoute],
    *,
    metrics: bool,
    guard: Callable[[ASGIApp], ASGIApp] | None = None,
) -> ASGIApp:
    """`app` with an access-log line per request (when the access logger takes INFO) and metrics.

    `guard` wraps the metrics endpoint as `app` is wrapped (e.g. LoopbackHostOnly). Returns `app`
    itself when neither is on (no cost on the hot path). Raises MetricsUnavailable, naming the
    extra to install, when `metrics` needs a package that is missing.
    """
    collected = Metrics() if metrics else None
    access = access_log.isEnabledFor(logging.INFO)
    if not access and collected is None:
        return app
    return Observed(app, routes, access=access, metrics=collected, guard=guard)
