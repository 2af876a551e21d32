"""The destination each login last sent a new key to, so a roll offers the same one.

Kept in `last-destinations.json` in the config folder, 0600 (it names where keys live), by
login: the server's URL, and for the embedded service its data folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ticos_tui.settings import paths
from ticos_tui.settings.config import Settings

FILE = "last-destinations.json"


def login_key(settings: Settings) -> str:
    if settings.mode == "embedded":
        return f"local:{settings.data_dir.resolve()}"
    return settings.base_url


def _read(env: Mapping[str, str] | None) -> dict[str, str]:
    raw = paths.read_private_file(paths.config_dir(env) / FILE)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}  # a damaged memory is only a lost suggestion
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def last_destination(settings: Settings, env: Mapping[str, str] | None = None) -> str | None:
    return _read(env).get(login_key(settings))


def remember_destination(
    settings: Settings, text: str, env: Mapping[str, str] | None = None
) -> None:
    data = _read(env)
    data[login_key(settings)] = text
    paths.write_private_file(
        paths.config_dir(env) / FILE, json.dumps(data, indent=2, sort_keys=True) + "\n"
    )
