"""Several logins (gh's `auth` words): which stored login a NAME means, and which one is active.

A login is a server with its stored token; it is named by its URL, its host[:port], or `local`
for the embedded service. The active one is the server `resolve_settings` would use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from ticos_tui.core.errors import ConfigError, UsageError
from ticos_tui.settings.config import (
    EMBEDDED_BASE_URL,
    Settings,
    config_file_path,
    normalize_base_url,
    read_config_file,
    resolve_data_dir,
    resolve_settings,
    save_config_value,
)
from ticos_tui.settings.credentials import stored_logins

LOCAL = "local"


def login_name(base_url: str) -> str:
    """How a login is named: `local`, or the server's host[:port]."""
    return LOCAL if base_url == EMBEDDED_BASE_URL else urlsplit(base_url).netloc


def all_logins(env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(base URL, where its token lives) for the embedded service and every stored login."""
    return [(EMBEDDED_BASE_URL, "the local service's data folder"), *stored_logins(env)]


def find_login(name: str, env: Mapping[str, str] | None = None) -> str:
    """The base URL of the login `name` (a URL, host[:port] or `local`); UsageError when none."""
    if name == LOCAL:
        return EMBEDDED_BASE_URL
    known = [url for url, _ in all_logins(env)]
    if "://" in name:
        try:
            url = normalize_base_url(name)
        except ConfigError:
            url = name
        if url in known:
            return url
    matches = [url for url in known if login_name(url) == name.lower()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(login_name(url) for url in known)
    if matches:
        raise UsageError(f"several logins are named {name}: give the URL ({', '.join(matches)})")
    raise UsageError(f"no login named {name!r}; known: {names} (add one: ticos-tui login)")


def default_base_url(env: Mapping[str, str] | None = None) -> str:
    """The server used when no flag or TICOS_BASE_URL says: config.toml's, else the local one."""
    raw = read_config_file(config_file_path(env)).get("base_url")
    return normalize_base_url(raw) if raw else EMBEDDED_BASE_URL


def switch_to(name: str, env: Mapping[str, str] | None = None) -> str:
    """Make the login `name` the default (config.toml's base_url); returns its base URL."""
    url = find_login(name, env)
    save_config_value(config_file_path(env), "base_url", "" if url == EMBEDDED_BASE_URL else url)
    return url


def settings_for(
    url: str, data_dir: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """The settings of the login at `url` with its stored token (TICOS_TOKEN and TICOS_BASE_URL,
    meant for the default server, are not sent to another one)."""
    env = dict(os.environ if env is None else env)
    env.pop("TICOS_TOKEN", None)
    env.pop("TICOS_BASE_URL", None)
    if url != EMBEDDED_BASE_URL:
        return resolve_settings(base_url=url, data_dir=data_dir, env=env)
    folder = resolve_data_dir(data_dir, env)
    return Settings(
        mode="embedded",
        base_url=EMBEDDED_BASE_URL,
        data_dir=folder,
        token=None,
        token_source=f"local service ({folder / 'session-token'})",
        config_file=config_file_path(env),
    )
