"""What `serve` tells its operator: one access line per request, never a secret, and metrics."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.served import Served, start_service
from tests.service.test_locked_store import write_lock_held
from ticos_tui.core.keyformat import generate_key
from ticos_tui.service import create_app
from ticos_tui.service.run.observe import METRICS_EXTRA, MetricsUnavailable, observe_app

ACCESS = "ticos_tui.access"


def _traffic(served: Served) -> tuple[list[tuple[str, str, int]], list[str]]:
    """A few requests of each kind; returns (method, route, status) per request, and secrets."""
    token = served.token()
    expected: list[tuple[str, str, int]] = []
    with httpx.Client(base_url=served.base_url, timeout=30) as http:

        def call(method: str, url: str, route: str, status: int, **kw: object) -> httpx.Response:
            response = http.request(method, url, **kw)  # type: ignore[arg-type]
            assert response.status_code == status, response.text
            expected.append((method, route, status))
            return response

        owner = {"Authorization": f"Bearer {token}"}
        created = call(
            "POST", "/v1/api-keys", "/v1/api-keys", 201, json={"name": "app"}, headers=owner
        ).json()
        key, key_id = created["key"], created["id"]
        as_key = {"Authorization": f"Bearer {key}"}
        call("GET", f"/v1/api-keys/{key_id}", "/v1/api-keys/{key_id}", 200, headers=as_key)
        call("GET", f"/v1/api-keys/{key_id}/usage?days=7", "/v1/api-keys/{key_id}/usage", 200, headers=as_key)  # fmt: skip
        call("GET", "/v1/api-keys?limit=5", "/v1/api-keys", 200, headers=as_key)
        call("POST", "/v1/api-keys/verify", "/v1/api-keys/verify", 200, json={"key": key})
        call("POST", "/v1/api-keys/verify", "/v1/api-keys/verify", 422, json={"nokey": key})
        # A key pasted into a path or a query string must not reach the log either.
        call("GET", f"/v1/{key}", "unmatched", 404)
        call("GET", f"/v1/account?key={key}", "/v1/account", 422, headers=owner)
        call("GET", "/v1/account", "/v1/account", 401, headers={"Authorization": f"Bearer {generate_key()}"})  # fmt: skip
        call("DELETE", f"/v1/api-keys/{key_id}", "/v1/api-keys/{key_id}", 204, headers=owner)
    return expected, [key, key[3:], key[3:20], token, token[4:], key_id]


@pytest.fixture
def logged(data_dir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    log = tmp_path / "serve.log"
    served = start_service(data_dir, options=request.param, log=log)
    try:
        expected, secrets = _traffic(served)
    finally:
        served.stop()  # a graceful stop: every access line is written by now
    text = log.read_text()
    for secret in secrets:
        assert secret not in text
    log.with_suffix(".expected").write_text(json.dumps(expected))
    yield log


def _access_lines(log: Path, fmt: str) -> list[tuple[str, str, int]]:
    lines = []
    for line in log.read_text().splitlines():
        if fmt == "json":
            record = json.loads(line)  # every line of the log is one JSON object
            if record["logger"] == ACCESS:
                assert set(record) == {"ts", "level", "logger", "msg", "method", "route", "status", "duration_ms", "client"}  # fmt: skip
                assert record["level"] == "info" and record["client"] == "127.0.0.1"
                assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
                lines.append((record["method"], record["route"], record["status"]))
        elif f" INFO {ACCESS} " in line:
            method, route, status, duration, client = line.split(f" {ACCESS} ")[1].split(" ")
            assert duration.endswith("ms") and client == "client=127.0.0.1"
            lines.append((method, route, int(status)))
    return lines


@pytest.mark.parametrize(
    ("logged", "fmt"),
    [([], "text"), (["--log-format", "json"], "json")],
    indirect=["logged"],
)
def test_one_access_line_per_request_by_route_template(logged: Path, fmt: str) -> None:
    expected = [tuple(e) for e in json.loads(logged.with_suffix(".expected").read_text())]
    lines = _access_lines(logged, fmt)
    # Before the test's requests: the readiness probe(s) of start_service, nothing else.
    head, tail = lines[: -len(expected)], lines[-len(expected) :]
    assert tail == expected
    assert head and set(head) == {("GET", "/v1/healthz", 200)}


@pytest.mark.parametrize("logged", [["--log-level", "warning"]], indirect=True)
def test_log_level_warning_has_no_access_lines(logged: Path) -> None:
    assert _access_lines(logged, "text") == []
    assert "uvicorn" not in logged.read_text()  # its info lines are below the level too


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_latency_and_verify_outcomes(data_dir: Path) -> None:
    served = start_service(data_dir, options=["--metrics", "--log-level", "error"])
    try:
        owner = {"Authorization": f"Bearer {served.token()}"}
        with httpx.Client(base_url=served.base_url, timeout=30) as http:
            keys = [http.post("/v1/api-keys", json={"name": n}, headers=owner).json() for n in "ab"]
            assert http.post(f"/v1/api-keys/{keys[1]['id']}/revoke", headers=owner).is_success
            for candidate in [keys[0]["key"]] * 3 + [keys[1]["key"], "tk_nonsense", generate_key()]:
                assert http.post("/v1/api-keys/verify", json={"key": candidate}).status_code == 200
            assert http.get(f"/v1/api-keys/{keys[0]['id']}", headers=owner).status_code == 200
            scrape = http.get("/metrics")
    finally:
        served.stop()
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    samples = _samples(scrape.text)
    for secret in (keys[0]["key"], keys[0]["id"], served.token()):
        assert secret not in scrape.text

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    requests = "ticos_http_requests_total"
    assert value(requests, method="POST", route="/v1/api-keys", status="201") == 2
    assert value(requests, method="POST", route="/v1/api-keys/{key_id}/revoke", status="200") == 1
    assert value(requests, method="POST", route="/v1/api-keys/verify", status="200") == 6
    assert value(requests, method="GET", route="/v1/api-keys/{key_id}", status="200") == 1
    latency = "ticos_http_request_duration_seconds_count"
    assert value(latency, method="POST", route="/v1/api-keys/verify") == 6
    assert value("ticos_http_request_duration_seconds_bucket", method="POST", route="/v1/api-keys/verify", le="+Inf") == 6  # fmt: skip
    outcomes = {"valid": 3, "revoked": 1, "malformed": 1, "unknown": 1, "expired": 0}
    for outcome, count in outcomes.items():
        assert value("ticos_verify_outcomes_total", outcome=outcome) == count


def test_metrics_are_off_by_default(served_plain: Served) -> None:
    assert httpx.get(f"{served_plain.base_url}/metrics", timeout=30).status_code == 404


@pytest.fixture
def served_plain(data_dir: Path) -> Iterator[Served]:
    service = start_service(data_dir, options=["--log-level", "error"])
    yield service
    service.stop()


def _observed(data_dir: Path, **options: object) -> tuple[object, httpx.AsyncClient]:
    service = create_app(data_dir, **options)  # type: ignore[arg-type]
    app = observe_app(service, service.routes, metrics=True)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=60
    )
    return service, client


@pytest.mark.parametrize(
    "backend", ["sqlite"]
)  # holds SQLite's write lock (PostgreSQL: test_outage)
async def test_store_errors_are_counted_by_route(data_dir: Path, token: str) -> None:
    _, client = _observed(data_dir, store_timeout=0.2)
    owner = {"Authorization": f"Bearer {token}"}
    async with client:
        with write_lock_held(data_dir):
            answer = await client.post("/v1/api-keys", json={"name": "waits"}, headers=owner)
        assert answer.status_code == 503
        text = (await client.get("/metrics")).text
    samples = _samples(text)
    assert samples[("ticos_store_errors_total", (("route", "/v1/api-keys"),))] == 1


@pytest.mark.parametrize("backend", ["sqlite"])  # the apps are built here, on the data folder
async def test_each_app_has_its_own_registry(data_dir: Path, token: str) -> None:
    _, first = _observed(data_dir)
    _, second = _observed(data_dir)
    async with first, second:
        for _ in range(3):
            assert (await first.get("/v1/healthz")).status_code == 200
        counted = [_samples((await c.get("/metrics")).text) for c in (first, second)]
    healthz = ("ticos_http_requests_total", (("method", "GET"), ("route", "/v1/healthz"), ("status", "200")))  # fmt: skip
    assert counted[0][healthz] == 3
    assert healthz not in counted[1]


def test_metrics_without_prometheus_client_name_the_extra(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # as if not installed
    service = create_app(data_dir)
    with pytest.raises(MetricsUnavailable, match=r"ticos-tui\[metrics\]") as raised:
        observe_app(service, service.routes, metrics=True)
    assert METRICS_EXTRA in str(raised.value)
    caplog.set_level(logging.WARNING, logger=ACCESS)  # no access log either: nothing to add
    assert observe_app(service, service.routes, metrics=False) is service


def test_metrics_on_loopback_refuse_other_host_names_and_the_refusal_is_logged(
    data_dir: Path, tmp_path: Path
) -> None:
    # A web page that rebinds its domain to 127.0.0.1 must not read /metrics either.
    log = tmp_path / "serve.log"
    served = start_service(data_dir, options=["--metrics"], log=log)
    try:
        with httpx.Client(base_url=served.base_url, timeout=30) as http:
            refused = http.get("/metrics", headers={"Host": "evil.example"})
            allowed = http.get("/metrics", headers={"Host": f"localhost:{served.port}"})
    finally:
        served.stop()
    assert refused.status_code == 421 and "ticos_http_requests_total" not in refused.text
    assert allowed.status_code == 200 and "ticos_http_requests_total" in allowed.text
    assert _access_lines(log, "text")[-2:] == [("GET", "/metrics", 421), ("GET", "/metrics", 200)]
