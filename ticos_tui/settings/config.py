"""Which Ticos service to talk to, with which credential: flags, environment, then config.toml."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from ticos_tui.core.errors import ConfigError
from ticos_tui.settings import paths

CONFIG_FILE = "config.toml"
EMBEDDED_BASE_URL = "http://ticos.local/v1"


def server_name(base_url: str) -> str:
    """How messages name the server: the embedded one has no URL a person could visit."""
    if base_url.rstrip("/") == EMBEDDED_BASE_URL:
        return "the local Ticos service"
    return f"the server at {base_url}"


@dataclass(frozen=True)
class Settings:
    """Everything a client needs to connect, and where each part came from (for `status`)."""

    mode: Literal["embedded", "remote"]
    base_url: str
    data_dir: Path
    token: str | None = field(repr=False)
    token_source: str
    config_file: Path

    @property
    def mode_label(self) -> str:
        """`local` for the embedded service, else the server's host[:port]."""
        if self.mode == "embedded":
            return "local"
        return urlsplit(self.base_url).netloc


def plain_http_host(base_url: str) -> str | None:
    """The host `base_url` reaches over plain HTTP when it is not this machine (loopback), else
    None: there, the session token and every key cross the network unencrypted."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme != "http" or host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass  # a name: only localhost is known to stay on this machine
    return host


def plain_http_warning(base_url: str) -> str | None:
    """The warning `login` and `status` print for a plain-HTTP server on another machine."""
    host = plain_http_host(base_url)
    if host is None:
        return None
    return (
        f"warning: {base_url} is plain HTTP to {host}, another machine: the session token and "
        "every key would cross the network unencrypted; use an https:// URL"
    )


def normalize_base_url(url: str) -> str:
    """`url` as `scheme://host[:port]/…/v1`, without a trailing slash; ConfigError when unusable.

    Credentials, queries and fragments are refused: a URL is printed in messages,
    so it must never carry a secret.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"base URL {text!r} is not an http(s) URL; use e.g. https://api.ticos.ai/v1 "
            "or http://127.0.0.1:8765"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "the base URL must not carry credentials; use TICOS_TOKEN or `ticos-tui login`"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"the base URL must not have a query or fragment: {text!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for an out-of-range port
    except ValueError:
        raise ConfigError(f"the base URL has an invalid port: {text!r}") from None
    path = parts.path.rstrip("/")
    if not path.endswith("/v1"):
        path += "/v1"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def checked_token(token: str, source: str) -> str:
    """`token` without surrounding whitespace; ConfigError when it cannot be a token.

    A token goes into an HTTP header: spaces, control and non-ASCII characters mean
    something else was pasted (or a file was read with the wrong encoding).
    """
    token = token.strip()
    if not (token.isascii() and token.isprintable()) or " " in token:
        raise ConfigError(
            f"the token from {source} holds spaces, control or non-ASCII characters; "
            "it is not a token"
        )
    return token


def config_file_path(env: Mapping[str, str] | None = None) -> Path:
    return paths.config_dir(env) / CONFIG_FILE


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings in `config.toml` (empty when there is none); ConfigError when unreadable."""
    raw = paths.read_settings_file(path)  # refused, as a write would be, in a shared folder
    if raw is None:
        return {}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None
    for key in ("base_url", "data_dir", "token"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string")
    if "token" in data:
        paths.check_private_file(path)  # a token others can read is refused, with the fix
    return data


def _parsed(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from None


def save_config_value(path: Path, key: str, value: str) -> None:
    """Set the top-level `key = "value"` in config.toml, keeping every other line as it was.

    Comments, order and other keys stay: the line is replaced in place, or added at the top.
    The result is parsed before it is written, and a file that would read any other way
    (invalid TOML, the key inside a multi-line string…) is left alone with a ConfigError.
    Written 0600 through `paths.write_private_file` (it may hold a token).
    """
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from None
    before = _parsed(text, path)
    line = f"{key} = {json.dumps(value)}\n"  # a JSON string is a TOML basic string
    assignment = re.compile(rf"\s*{re.escape(key)}\s*=")
    lines = text.splitlines(keepends=True)
    new_text = line + text  # top-level keys may always open the file
    for index, old in enumerate(lines):
        if old.lstrip().startswith("["):
            break  # past the top-level keys: a table's own `key` is another setting
        if assignment.match(old):
            lines[index] = line
            new_text = "".join(lines)
            break
    if _parsed(new_text, path) != {**before, key: value}:
        wanted = line.strip()
        raise ConfigError(f"cannot update {key} in {path}; add the line {wanted} to it by hand")
    target = path.resolve() if path.is_symlink() else path  # keep a dotfiles link a link
    paths.write_private_file(target, new_text)


def resolve_data_dir(
    flag: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """`--data-dir`, else `TICOS_HOME`, else `data_dir` in config.toml, else the default."""
    env = os.environ if env is None else env
    return paths.data_dir(
        flag, env, lambda: read_config_file(config_file_path(env)).get("data_dir")
    )


def resolve_settings(
    *,
    base_url: str | None = None,
    data_dir: str | Path | None = None,
    token: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from flags, then environment, then config.toml, then the embedded default.

    Remote mode takes its token from the flag or `TICOS_TOKEN`, else the login stored
    for that base URL (keyring, else the 0600 file), else `token` in config.toml.
    Embedded mode may leave it None: connecting asks the local service for one.
    """
    env = os.environ if env is None else env
    config_file = config_file_path(env)
    file_settings = read_config_file(config_file)

    resolved_dir = paths.data_dir(data_dir, env, lambda: file_settings.get("data_dir"))

    raw_url = base_url or env.get("TICOS_BASE_URL") or file_settings.get("base_url")
    mode: Literal["embedded", "remote"] = "remote" if raw_url else "embedded"
    url = normalize_base_url(raw_url) if raw_url else EMBEDDED_BASE_URL

    resolved_token: str | None = None
    source = ""
    if token:
        resolved_token, source = token, "--token flag"
    elif env.get("TICOS_TOKEN"):
        resolved_token, source = env["TICOS_TOKEN"], "TICOS_TOKEN"
    elif mode == "remote":
        from ticos_tui.settings.credentials import load_token

        stored = load_token(url, env)
        if stored is not None:
            resolved_token, source = stored.token, stored.source
        elif file_settings.get("token"):
            resolved_token, source = file_settings["token"], f"config file {config_file}"
        else:
            source = "none (set TICOS_TOKEN or run `ticos-tui login`)"
    else:
        source = f"local service ({resolved_dir / 'session-token'})"
    if resolved_token is not None:
        resolved_token = checked_token(resolved_token, source)

    return Settings(
        mode=mode,
        base_url=url,
        data_dir=resolved_dir,
        token=resolved_token,
        token_source=source,
        config_file=config_file,
    )
