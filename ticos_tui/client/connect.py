"""Settings to a `TicosClient`: the embedded service in-process, or a server over HTTP."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ticos_tui.client.http import TicosClient
from ticos_tui.core.errors import ConfigError, ConnectionFailed, TicosError
from ticos_tui.settings.config import EMBEDDED_BASE_URL, Settings, normalize_base_url

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


def open_client(settings: Settings, *, timeout: float = 10.0) -> TicosClient:
    """A client for `settings` (synchronous: the TUI calls it from a thread worker).

    Embedded mode mounts the local service on an `httpx.ASGITransport`, so every mode
    runs through the same HTTP code path; remote mode talks to `settings.base_url`.
    Raises ConfigError when SSL_CERT_FILE / SSL_CERT_DIR name certificates that cannot be loaded.
    """
    if settings.mode == "remote":
        return remote_client(normalize_base_url(settings.base_url), settings.token, timeout=timeout)

    import httpx

    try:
        from ticos_tui.service import create_app
        from ticos_tui.service.bootstrap import local_session_token

        token = settings.token or local_session_token(settings.data_dir)
        app = create_app(settings.data_dir)
    except ImportError as err:
        raise ConnectionFailed(f"the local Ticos service is not installed here ({err})") from None
    except TicosError:
        raise  # already says what is wrong and how to fix it (e.g. a data folder others can write)
    except Exception as err:  # an unwritable folder, a corrupt database…
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        raise ConnectionFailed(
            f"cannot open the local Ticos service in {settings.data_dir} ({reason}); "
            "check --data-dir / TICOS_HOME"
        ) from None
    # A bug in the service becomes a 500 answer (a ServerError), like a remote server's would.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return TicosClient(EMBEDDED_BASE_URL, token, transport=transport, timeout=timeout)
