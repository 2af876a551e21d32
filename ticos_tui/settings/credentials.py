"""Stored logins: one token per base URL, in the OS keyring when one works, else a 0600 file.

The file also records which URLs have their token in the keyring, so that a command
imports and probes the keyring only when the token it needs is there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticos_tui.core.errors import ConfigError
from ticos_tui.settings import paths

KEYRING_SERVICE = "ticos-tui"
CREDENTIALS_FILE = "credentials.json"
FILE_VERSION = 2  # 2: also lists the URLs whose token is in the keyring


@dataclass(frozen=True)
class StoredToken:
    token: str = field(repr=False)
    source: str  # "keyring (<backend>)" or "file <path>"


def credentials_file(env: Mapping[str, str] | None = None) -> Path:
    return paths.config_dir(env) / CREDENTIALS_FILE


def recommended_backend(backend: Any) -> bool:
    """Whether `backend` is an OS credential store, as keyring itself judges (`priority >= 1`,
    `keyring.core.recommended`). Not: its fail backend, keyrings.alt's plaintext and encrypted
    files (a file of theirs, beside our 0600 one). A chain of backends is one only when every
    link is: a refused write would fall through to the next link."""
    links = getattr(backend, "backends", None)
    if isinstance(links, list) and not all(recommended_backend(link) for link in links):
        return False
    try:
        return float(backend.priority) >= 1
    except (AttributeError, TypeError, ValueError):
        return False


def _keyring(*, recommended: bool = True) -> Any:
    """The `keyring` module when it is installed and its backend is an OS credential store
    (`recommended_backend`), else None: the token then goes to our 0600 file. With
    `recommended=False`, any working backend (to move a token out of one that is not)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or broken on this system
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or (recommended and not recommended_backend(backend)):
        return None
    return keyring


def _keyring_label(module: Any) -> str:
    backend = module.get_keyring()
    return f"keyring ({type(backend).__module__.split('.')[-1]} {type(backend).__name__})"


@dataclass
class _Logins:
    """What credentials.json holds: tokens kept in the file, and the URLs whose token is in the keyring.

    The file is read first and the keyring touched only for a URL it names: importing
    keyring and probing its backends costs 0.1–0.25 s a command. Files written before
    the keyring list (version 1) did not say, so for them the keyring is still asked.
    """

    tokens: dict[str, str]
    in_keyring: list[str]
    says_where: bool  # written by a version that records the keyring's URLs


def _read_file(path: Path) -> _Logins:
    raw = paths.read_private_file(path)  # refused, with the fix, when others can read it
    if raw is None:
        return _Logins({}, [], says_where=False)
    try:
        data = json.loads(raw)
        tokens = data["tokens"]
        in_keyring = data.get("keyring", [])
        if not isinstance(tokens, dict) or not isinstance(in_keyring, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError(
            f"{path} is not a ticos-tui credentials file; remove it and run `ticos-tui login` again"
        ) from None
    return _Logins(
        {str(k): str(v) for k, v in tokens.items()},
        [str(url) for url in in_keyring],
        says_where=data.get("version") == FILE_VERSION,
    )


def _write_file(path: Path, logins: _Logins) -> None:
    if not logins.tokens and not logins.in_keyring:
        path.unlink(missing_ok=True)
        return
    data = {"version": FILE_VERSION, "tokens": logins.tokens, "keyring": logins.in_keyring}
    paths.write_private_file(path, json.dumps(data, indent=2) + "\n")


def _record(base_url: str, env: Mapping[str, str] | None, token: str | None) -> None:
    """Record where the token for `base_url` is: `token` in the file, or (None) the keyring."""
    path = credentials_file(env)
    logins = _read_file(path)
    logins.tokens.pop(base_url, None)
    if base_url in logins.in_keyring:
        logins.in_keyring.remove(base_url)
    if token is None:
        logins.in_keyring.append(base_url)
    else:
        logins.tokens[base_url] = token
    _write_file(path, logins)


def _from_keyring(base_url: str) -> StoredToken | None:
    module = _keyring()
    if module is None:
        return None
    try:
        token = module.get_password(KEYRING_SERVICE, base_url)
    except Exception:
        return None  # a locked or broken keyring: as if nothing were stored
    return StoredToken(token, _keyring_label(module)) if token else None


def _moved_to_file(base_url: str, env: Mapping[str, str] | None) -> StoredToken | None:
    """A token an earlier version put in a keyring backend that is no OS store (a plaintext
    file of keyrings.alt's): moved into our 0600 file, and taken out of there."""
    module = _keyring(recommended=False)
    if module is None or recommended_backend(module.get_keyring()):
        return None  # no keyring, or an OS store: `_from_keyring` asked it already
    try:
        token = module.get_password(KEYRING_SERVICE, base_url)
    except Exception:
        return None
    if not token:
        return None
    _record(base_url, env, token)
    with contextlib.suppress(Exception):  # it is in our file now, whatever the backend says
        module.delete_password(KEYRING_SERVICE, base_url)
    return StoredToken(token, f"file {credentials_file(env)}")


def load_token(base_url: str, env: Mapping[str, str] | None = None) -> StoredToken | None:
    """The token stored for `base_url` (already normalised): from the file, or the keyring it names."""
    path = credentials_file(env)
    logins = _read_file(path)
    token = logins.tokens.get(base_url)
    if token:
        return StoredToken(token, f"file {path}")
    if base_url in logins.in_keyring:
        return _from_keyring(base_url) or _moved_to_file(base_url, env)
    if logins.says_where:
        return None  # the file says where every login is: none for this URL
    stored = _from_keyring(base_url)  # a login stored before the file said where
    if stored is not None:
        _record(base_url, env, None)
    return stored


def store_token(base_url: str, token: str, env: Mapping[str, str] | None = None) -> str:
    """Store `token` for `base_url`; returns where it went, in words."""
    module = _keyring()
    if module is not None:
        try:
            module.set_password(KEYRING_SERVICE, base_url, token)
        except Exception:  # noqa: S110 - keyring refused (locked, no D-Bus…): use the file
            pass
        else:
            _record(base_url, env, None)  # one place per URL, so logout is unambiguous
            return _keyring_label(module)
    _record(base_url, env, token)
    return f"file {credentials_file(env)} (mode 0600)"


def _forget_in_file(base_url: str, env: Mapping[str, str] | None) -> bool:
    """Drop `base_url` from the file; True when the file held its token."""
    path = credentials_file(env)
    logins = _read_file(path)
    had_token = logins.tokens.pop(base_url, None) is not None
    if base_url in logins.in_keyring:
        logins.in_keyring.remove(base_url)
    elif not had_token:
        return False
    _write_file(path, logins)
    return had_token


def forget_token(base_url: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Remove every stored token for `base_url`; returns the places it was removed from."""
    removed: list[str] = []
    module = _keyring()  # logout asks the keyring whatever the file says: nothing may stay behind
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


def stored_logins(env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Every stored login as (base URL, where its token lives in words), file order."""
    path = credentials_file(env)
    logins = _read_file(path)
    found = [(url, f"file {path}") for url in logins.tokens]
    return found + [(url, "keyring") for url in logins.in_keyring if url not in logins.tokens]
