"""Settings to a `TicosClient`: the embedded service in-process, or a server over HTTP."""

from __future__ import annotations

from ticos_tui.client import TicosClient
from ticos_tui.config import EMBEDDED_BASE_URL, Settings, normalize_base_url
from ticos_tui.errors import ConnectionFailed, TicosError


def open_client(settings: Settings, *, timeout: float = 10.0) -> TicosClient:
    """A client for `settings` (synchronous: the TUI calls it from a thread worker).

    Embedded mode mounts the local service on an `httpx.ASGITransport`, so every mode
    runs through the same HTTP code path; remote mode talks to `settings.base_url`.
    """
    if settings.mode == "remote":
        return TicosClient(normalize_base_url(settings.base_url), settings.token, timeout=timeout)

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
