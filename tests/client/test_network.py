"""Remote servers are reached through the environment's proxy and TLS settings; the embedded one never."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from tests.client.fakeserver import fake_server, json_reply
from tests.client.proxy import ACCOUNT, recording_proxy
from ticos_tui.client.connect import remote_client, tls_context
from ticos_tui.core.errors import ConfigError, ConnectionFailed
from ticos_tui.settings.config import resolve_settings
from ticos_tui.wiring import open_client

_PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@pytest.fixture(autouse=True)
def no_proxy_from_the_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def account_name(base_url: str) -> str:
    async def ask() -> str:
        async with remote_client(base_url, "tok", timeout=5) as client:
            return (await client.account()).name

    return asyncio.run(ask())


def test_http_proxy_carries_requests_to_a_remote_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with recording_proxy() as (proxy, seen):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        # ticos.invalid cannot resolve: only a proxy can have answered.
        assert account_name("http://ticos.invalid/v1") == "Proxy Pat"
    assert seen == ["GET http://ticos.invalid/v1/account HTTP/1.1"]


def test_https_proxy_tunnels_to_a_remote_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with recording_proxy() as (proxy, seen):
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        with pytest.raises(ConnectionFailed):
            account_name("https://ticos.invalid/v1")  # the proxy refuses the tunnel
    assert seen and all(line == "CONNECT ticos.invalid:443 HTTP/1.1" for line in seen)


def test_no_proxy_goes_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        recording_proxy() as (proxy, seen),
        fake_server(lambda method, path: json_reply(200, {**ACCOUNT, "name": "Direct Dee"})) as url,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert account_name(url) == "Direct Dee"
        monkeypatch.delenv("NO_PROXY")
        assert account_name(url) == "Proxy Pat"  # the same URL, now through the proxy
    assert seen == [f"GET {url}/account HTTP/1.1"]


def test_embedded_mode_ignores_proxy_variables(
    monkeypatch: pytest.MonkeyPatch, isolated_env: dict[str, Path]
) -> None:
    with recording_proxy() as (proxy, seen):
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy)

        async def ask() -> str:
            async with open_client(resolve_settings(data_dir=isolated_env["data"])) as client:
                return (await client.account()).email

        assert asyncio.run(ask())  # the local account, answered in-process
    assert seen == []


@contextmanager
def https_server(ca: trustme.CA) -> Iterator[str]:
    """An HTTPS Ticos-like server on loopback whose certificate `ca` signed."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({**ACCOUNT, "name": "TLS Tia"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_ssl_cert_file_names_the_ca_to_trust(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with https_server(ca) as url:
        # The OS trust store does not know this CA: the certificate is refused…
        with pytest.raises(ConnectionFailed, match=r"(?i)certificate"):
            account_name(url)
        # …until SSL_CERT_FILE names it.
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        assert account_name(url) == "TLS Tia"


def test_ssl_cert_dir_names_a_folder_of_cas_to_trust(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = trustme.CA()
    folder = tmp_path / "certs"
    folder.mkdir()
    pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    # OpenSSL finds a folder's certificates by subject hash: <hash>.0, as `openssl rehash` names them.
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(pem)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    pem.rename(folder / f"{subject_hash}.0")
    with https_server(ca) as url:
        with pytest.raises(ConnectionFailed, match=r"(?i)certificate"):
            account_name(url)
        monkeypatch.setenv("SSL_CERT_DIR", str(folder))
        assert account_name(url) == "TLS Tia"


def test_default_context_is_the_os_trust_store() -> None:
    import truststore

    context = tls_context({})
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_unreadable_ssl_cert_file_says_which_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"SSL_CERT_FILE=.*missing\.pem"):
        tls_context({"SSL_CERT_FILE": str(tmp_path / "missing.pem")})
