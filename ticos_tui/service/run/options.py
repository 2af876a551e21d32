"""The service's run-time settings: defaults, the log's choices, the database URL's form.

No argparse here: the CLI (`ticos_tui.cli.serve_options`) turns flags into these, and the ASGI
entry (`ticos_tui.service.run.asgi`) reads them from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

HEADER_TIMEOUT = 10.0  # seconds a client has to send a whole request (head and body)
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
AUDIT_RETENTION_DAYS = 400  # days audit events are kept unless the operator says otherwise

DATABASE_URL_ENV = "TICOS_DATABASE_URL"
_SCHEMES = ("postgresql://", "postgres://")
DATABASE_URL_FORM = "must be a postgresql:// URL, e.g. postgresql://ticos@db.internal/ticos"


def is_database_url(text: str) -> bool:
    """Whether `text` has the form of a PostgreSQL URL (the store it names is not reached)."""
    return text.startswith(_SCHEMES)


def database_url_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """$TICOS_DATABASE_URL, or None when unset (SQLite); ValueError naming it when malformed."""
    value = (os.environ if env is None else env).get(DATABASE_URL_ENV, "").strip() or None
    if value is not None and not is_database_url(value):
        raise ValueError(f"{DATABASE_URL_ENV} {DATABASE_URL_FORM}")
    return value
