"""`serve` at the edges: forwarded-for headers, DNS rebinding, and slow or half-sent clients."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.served import HOST, Served, start_service
from ticos_tui.core.keyformat import generate_key
from ticos_tui.service.run.server import exposure_warning, is_loopback

LIMIT = 30  # create_app's default failed-authentication limit


@pytest.fixture
def served(data_dir: Path) -> Iterator[Served]:
    service = start_service(data_dir)
    yield service
    service.stop()


def _fail(http: httpx.Client, forwarded_for: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {generate_key()}"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return http.get("/v1/account", headers=headers).status_code


def test_rotating_forwarded_for_from_loopback_does_not_dodge_the_limit(served: Served) -> None:
    with httpx.Client(base_url=served.base_url, timeout=30) as http:
        statuses = [_fail(http, f"10.0.{i // 250}.{i % 250 + 1}") for i in range(LIMIT + 5)]
        assert statuses == [401] * LIMIT + [429] * 5
        # The failures counted against the TCP peer itself, not against the addresses claimed.
        assert _fail(http) == 429


def test_forwarded_for_counts_only_from_a_named_proxy(data_dir: Path) -> None:
    service = start_service(data_dir, options=["--forwarded-allow-ips", HOST])
    try:
        with httpx.Client(base_url=service.base_url, timeout=30) as http:
            statuses = [_fail(http, "192.0.2.7") for _ in range(LIMIT + 1)]
            assert statuses == [401] * LIMIT + [429]
            assert _fail(http, "192.0.2.8") == 401  # another client behind the proxy
    finally:
        service.stop()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 421),
        ("evil.example:{port}", 421),
        ("127.0.0.1.evil.example", 421),
        ("localhost:{port}", 200),
        ("127.0.0.1:{port}", 200),
        ("127.1.2.3", 200),
        ("[::1]:{port}", 200),
    ],
)
def test_loopback_service_refuses_other_host_names(served: Served, host: str, status: int) -> None:
    with httpx.Client(base_url=served.base_url, timeout=30) as http:
        response = http.get("/v1/healthz", headers={"Host": host.format(port=served.port)})
    assert response.status_code == status
    if status == 421:
        assert "loopback" in response.json()["detail"]


def test_is_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.2", "::", "example.com", ""]))


def test_a_non_loopback_address_is_called_plain_http() -> None:
    for host in ("0.0.0.0", "192.168.1.2", "::", "ticos.example.com"):
        warning = exposure_warning(host)
        assert warning is not None and "plain HTTP" in warning and "TLS proxy" in warning
    assert exposure_warning("127.0.0.1") is None and exposure_warning("::1") is None


def _wait_closed(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` within `seconds` (reads until EOF)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def test_a_half_sent_request_is_cut_off(data_dir: Path) -> None:
    service = start_service(data_dir, options=["--header-timeout", "1"])
    try:
        with socket.create_connection((HOST, service.port)) as sock:
            sock.sendall(b"GET /v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            assert _wait_closed(sock, 60)
        with socket.create_connection((HOST, service.port)) as sock:
            body = b'{"key": "tk_'  # a body that never finishes
            sock.sendall(
                b"POST /v1/api-keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" + body
            )
            assert _wait_closed(sock, 60)
    finally:
        service.stop()


def test_healthz_answers_while_300_slow_clients_hold_connections(data_dir: Path) -> None:
    # The open-file limit of a small container: 300 half-sent requests exhausted it.
    service = start_service(data_dir, fd_limit=160)
    slow: list[socket.socket] = []
    try:
        for _ in range(300):
            sock = socket.create_connection((HOST, service.port), timeout=30)
            sock.sendall(b"GET /v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
        deadline = time.monotonic() + 60
        answered = None
        while answered is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"{service.base_url}/v1/healthz", timeout=5)
            except httpx.HTTPError:
                continue
        assert answered is not None and answered.status_code == 200
        assert answered.json() == {"status": "ok"}
    finally:
        for sock in slow:
            sock.close()
        service.stop()


def test_past_the_connection_limit_requests_get_503(data_dir: Path) -> None:
    service = start_service(data_dir, options=["--limit-concurrency", "3"])
    busy: list[socket.socket] = []
    try:
        for _ in range(2):  # requests in progress (bodies still coming): not idle, kept open
            sock = socket.create_connection((HOST, service.port), timeout=30)
            sock.sendall(
                b"POST /v1/api-keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            )
            busy.append(sock)
            # "100 Continue" means the service has the request and waits for its body.
            assert sock.recv(64).startswith(b"HTTP/1.1 100")
        response = httpx.get(f"{service.base_url}/v1/healthz", timeout=30)
        assert response.status_code == 503
        for sock in busy:
            sock.close()
        deadline = time.monotonic() + 60
        while response.status_code == 503 and time.monotonic() < deadline:
            response = httpx.get(f"{service.base_url}/v1/healthz", timeout=30)
        assert response.status_code == 200
    finally:
        for sock in busy:
            sock.close()
        service.stop()
