"""Making a `TicosClient`: for a server over the network, or for an app in this process."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ticos_tui.client.http import TicosClient
from ticos_tui.core.errors import ConfigError
from ticos_tui.settings.config import EMBEDDED_BASE_URL

if TYPE_CHECKING:
    import ssl


def tls_context(env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """How a remote server's certificate is checked: the OS trust store, like pip does.

    `SSL_CERT_FILE` / `SSL_CERT_DIR`, when set, name the certificates to trust instead
    (a corporate CA, a test CA), as OpenSSL, curl and httpx read them.
    """
    import ssl

    env = os.environ if env is None else env
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR") or None
    if cafile or capath:
        try:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError) as err:
            named = " and ".join(
                f"{name}={value}"
                for name, value in (("SSL_CERT_FILE", cafile), ("SSL_CERT_DIR", capath))
                if value
            )
            reason = getattr(err, "strerror", None) or str(err)
            raise ConfigError(
                f"cannot load the certificates named by {named} ({reason}); "
                "fix the path or unset the variable"
            ) from None
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def remote_client(
    base_url: str, token: str | None, *, timeout: float = 10.0, retries: int = 2
) -> TicosClient:
    """A client for a server over the network (`base_url` already normalised).

    It is reached like any other HTTPS site: through the environment's proxy settings
    (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), its certificate checked by `tls_context()`.
    The embedded service never goes this way.
    """
    return TicosClient(
        base_url, token, timeout=timeout, retries=retries, verify=tls_context(), trust_env=True
    )


def asgi_client(app: Any, token: str, *, timeout: float = 10.0) -> TicosClient:
    """A client for an ASGI app in this process (the embedded service), over `httpx.ASGITransport`.

    Every mode runs through the same HTTP code path; a bug in the app becomes a 500 answer
    (a ServerError), like a remote server's would.
    """
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return TicosClient(EMBEDDED_BASE_URL, token, transport=transport, timeout=timeout)
