"""Stored logins: one token per base URL, in the OS keyring when one works, else a 0600 file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticos_tui import paths
from ticos_tui.errors import ConfigError

KEYRING_SERVICE = "ticos-tui"
CREDENTIALS_FILE = "credentials.json"


@dataclass(frozen=True)
class StoredToken:
    token: str = field(repr=False)
    source: str  # "keyring (<backend>)" or "file <path>"


def credentials_file(env: Mapping[str, str] | None = None) -> Path:
    return paths.config_dir(env) / CREDENTIALS_FILE


def _keyring() -> Any:
    """The `keyring` module when it is installed and has a real backend, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or broken on this system
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def _keyring_label(module: Any) -> str:
    backend = module.get_keyring()
    return f"keyring ({type(backend).__module__.split('.')[-1]} {type(backend).__name__})"


def _read_file(path: Path) -> dict[str, str]:
    raw = paths.read_private_file(path)  # refused, with the fix, when others can read it
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
        tokens = data["tokens"]
        if not isinstance(tokens, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{path} is not a ticos-tui credentials file; remove it and run `ticos-tui login` again"
        ) from None
    return {str(k): str(v) for k, v in tokens.items()}


def _write_file(path: Path, tokens: dict[str, str]) -> None:
    if not tokens:
        path.unlink(missing_ok=True)
        return
    paths.write_private_file(path, json.dumps({"version": 1, "tokens": tokens}, indent=2) + "\n")


def load_token(base_url: str, env: Mapping[str, str] | None = None) -> StoredToken | None:
    """The token stored for `base_url` (already normalised), keyring first, then the file."""
    module = _keyring()
    if module is not None:
        try:
            token = module.get_password(KEYRING_SERVICE, base_url)
        except Exception:
            token = None  # a locked or broken keyring: fall through to the file
        if token:
            return StoredToken(token, _keyring_label(module))
    path = credentials_file(env)
    token = _read_file(path).get(base_url)
    if token:
        return StoredToken(token, f"file {path}")
    return None


def store_token(base_url: str, token: str, env: Mapping[str, str] | None = None) -> str:
    """Store `token` for `base_url`; returns where it went, in words."""
    module = _keyring()
    if module is not None:
        try:
            module.set_password(KEYRING_SERVICE, base_url, token)
        except Exception:  # noqa: S110 - keyring refused (locked, no D-Bus…): use the file
            pass
        else:
            _forget_in_file(base_url, env)  # one place per URL, so logout is unambiguous
            return _keyring_label(module)
    path = credentials_file(env)
    tokens = _read_file(path)
    tokens[base_url] = token
    _write_file(path, tokens)
    return f"file {path} (mode 0600)"


def _forget_in_file(base_url: str, env: Mapping[str, str] | None) -> bool:
    path = credentials_file(env)
    tokens = _read_file(path)
    if base_url not in tokens:
        return False
    del tokens[base_url]
    _write_file(path, tokens)
    return True


def forget_token(base_url: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Remove every stored token for `base_url`; returns the places it was removed from."""
    removed: list[str] = []
    module = _keyring()
    if module is not None:
        try:
            if module.get_password(KEYRING_SERVICE, base_url):
                module.delete_password(KEYRING_SERVICE, base_url)
                removed.append(_keyring_label(module))
        except Exception:  # noqa: S110 - a broken keyring holds nothing we can remove
            pass
    if _forget_in_file(base_url, env):
        removed.append(f"file {credentials_file(env)}")
    return removed
