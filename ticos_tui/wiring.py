"""Settings to a client: the embedded service mounted in this process, or a server over HTTP.

The one module that knows both the client and the service; they never import each other.
"""

from __future__ import annotations

from ticos_tui.client.connect import asgi_client, remote_client
from ticos_tui.client.http import TicosClient
from ticos_tui.core.errors import ConnectionFailed, TicosError
from ticos_tui.settings.config import Settings, normalize_base_url


def open_client(settings: Settings, *, timeout: float = 10.0) -> TicosClient:
    """A client for `settings` (synchronous: the TUI calls it from a thread worker).

    Embedded mode mounts the local service on an `httpx.ASGITransport`, so every mode
    runs through the same HTTP code path; remote mode talks to `settings.base_url`.
    Raises ConfigError when SSL_CERT_FILE / SSL_CERT_DIR name certificates that cannot be loaded.
    """
    if settings.mode == "remote":
        return remote_client(normalize_base_url(settings.base_url), settings.token, timeout=timeout)

    try:
        # Starlette and the store: only when the embedded service is the one asked for.
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
    return asgi_client(app, token, timeout=timeout)
