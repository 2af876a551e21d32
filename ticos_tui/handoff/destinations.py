"""Where a new key can be sent: `KIND:TARGET` parsed into one small adapter per secret store.

Each adapter says which program runs with which exact arguments, and what goes to its stdin.
The key itself is never an argument, never in the environment, never in a file: it reaches the
tool on stdin only (`send.py` runs it), or, for the OS keyring, through the `keyring` library
in this process.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ticos_tui.core.errors import UsageError

KINDS = ("pass", "keyring", "gh", "vault", "op", "aws", "gcloud", "doppler")
KEYRING_SERVICE = "ticos-api-keys"  # not the logins' "ticos-tui": a key never replaces a login
TARGET_PLACEHOLDER = "{target}"
KEY = "{key}"
_JSON_SLOT = "\x00"  # where the key goes in a JSON template: no name or title holds a NUL

INSTALL = {
    "pass": "install pass (apt install pass, brew install pass; https://www.passwordstore.org)",
    "keyring": "install the keyring extra: pip install 'ticos-tui[keyring]'",
    "gh": "install the GitHub CLI (https://cli.github.com) and run `gh auth login`",
    "vault": "install Vault (https://developer.hashicorp.com/vault/install) and set VAULT_ADDR",
    "op": "install the 1Password CLI (https://developer.1password.com/docs/cli/get-started)",
    "aws": "install the AWS CLI (https://aws.amazon.com/cli) and configure it",
    "gcloud": "install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
    "doppler": "install the Doppler CLI (https://docs.doppler.com/docs/install-cli)",
}

HELP = (
    "DEST is pass:NAME, keyring[:SERVICE[#USER]], gh:NAME[@owner/repo] [--repo R] [--env E], "
    "vault:PATH[#FIELD], op:VAULT/TITLE, aws:NAME, gcloud:NAME, doppler:NAME, "
    "or the name of a [[destinations]] entry in config.toml"
)


@dataclass(frozen=True)
class Step:
    """One run of a tool: its argv, and the stdin it gets (a function of the key)."""

    argv: tuple[str, ...]
    template: str = KEY  # the stdin, with `placeholder` where the key goes
    placeholder: str = KEY
    json_key: bool = False  # the key JSON-escaped (the template is a JSON document)
    # When this step fails with `missing` in its output, `then` runs instead (create, not update).
    missing: str = ""
    then: Step | None = None

    def stdin(self, key: str) -> bytes:
        value = json.dumps(key)[1:-1] if self.json_key else key
        return self.template.replace(self.placeholder, value).encode("utf-8")


@dataclass(frozen=True)
class Destination:
    """A parsed destination: `text` parses back to it; `label` names it in "stored in …"."""

    kind: str
    text: str
    label: str
    step: Step | None = None  # None: the OS keyring, written in-process
    keyring_service: str = ""
    keyring_user: str = ""
    tool: str = field(default="")

    @property
    def install_hint(self) -> str:
        return INSTALL.get(self.kind, f"check the command of destination {self.kind!r}")


def _need(target: str, kind: str, example: str) -> str:
    if not target.strip():
        raise UsageError(f"destination {kind}: needs a target, e.g. {example}")
    return target.strip()


def _pass(target: str) -> Destination:
    name = _need(target, "pass", "pass:ci/deploy")
    # --force: a roll sends the new key where the old one lives, so replacing is the intent;
    # said outright rather than left to pass's "Overwrite it?", which it skips without a TTY.
    step = Step(("pass", "insert", "--multiline", "--force", name), KEY + "\n")
    return Destination("pass", f"pass:{name}", f"pass:{name}", step, tool="pass")


def _keyring(target: str, key_name: str) -> Destination:
    service, _, user = target.partition("#")
    service = service.strip() or KEYRING_SERVICE
    user = user.strip() or key_name
    text = "keyring" if not target else f"keyring:{target}"
    label = f"the keyring ({service} / {user})"
    return Destination(
        "keyring", text, label, keyring_service=service, keyring_user=user, tool="keyring"
    )


def _gh(target: str, options: Sequence[str]) -> Destination:
    name, _, repo = _need(target, "gh", "gh:TICOS_API_KEY@owner/repo").partition("@")
    env = ""
    rest = list(options)
    while rest:
        flag = rest.pop(0)
        flag, eq, inline = flag.partition("=")
        if flag not in ("--repo", "-R", "--env", "-e") or not (eq or rest):
            raise UsageError(f"destination gh: unknown option {flag!r}; use --repo R or --env E")
        value = inline if eq else rest.pop(0)
        if flag in ("--repo", "-R"):
            repo = value
        else:
            env = value
    argv = ["gh", "secret", "set", name]
    text = f"gh:{name}@{repo}" if repo else f"gh:{name}"
    label = f"GitHub secret {name}" + (f" of {repo}" if repo else "")
    if repo:
        argv += ["--repo", repo]
    if env:
        argv += ["--env", env]
        text += f" --env {shlex.quote(env)}"
        label += f" (environment {env})"
    # No --body: gh reads the secret from stdin when stdin is not a terminal.
    return Destination("gh", text, label, Step(tuple(argv)), tool="gh")


def _vault(target: str) -> Destination:
    path, _, secret_field = _need(target, "vault", "vault:secret/app#api_key").partition("#")
    secret_field = secret_field or "api_key"
    step = Step(("vault", "kv", "put", path, f"{secret_field}=-"))  # `=-`: the value from stdin
    text = f"vault:{path}#{secret_field}"
    return Destination("vault", text, f"vault {path} ({secret_field})", step, tool="vault")


def _op(target: str, key_name: str) -> Destination:
    vault, slash, title = _need(target, "op", "op:Private/Ticos API key").partition("/")
    if not slash or not vault or not title:
        raise UsageError("destination op: write it op:VAULT/TITLE, e.g. op:Private/Ticos API key")
    item = {
        "title": title,
        "category": "API_CREDENTIAL",
        "fields": [
            {"id": "credential", "type": "CONCEALED", "label": "credential", "value": _JSON_SLOT},
            {
                "id": "notesPlain",
                "type": "STRING",
                "purpose": "NOTES",
                "value": f"Ticos API key {key_name}",
            },
        ],
    }
    # The item as a JSON template on stdin (`-`): assignments in argv would show the key.
    template = json.dumps(item)
    slot = json.dumps(_JSON_SLOT)[1:-1]
    step = Step(("op", "item", "create", "--vault", vault, "-"), template, slot, json_key=True)
    return Destination("op", f"op:{vault}/{title}", f"1Password {vault}/{title}", step, tool="op")


def _aws(target: str) -> Destination:
    name = _need(target, "aws", "aws:prod/ticos-api-key")
    stdin_file = ("--secret-string", "file:///dev/stdin")
    create = Step(("aws", "secretsmanager", "create-secret", "--name", name, *stdin_file))
    update = Step(
        ("aws", "secretsmanager", "put-secret-value", "--secret-id", name, *stdin_file),
        missing="ResourceNotFoundException",
        then=create,
    )
    return Destination("aws", f"aws:{name}", f"AWS secret {name}", update, tool="aws")


def _gcloud(target: str) -> Destination:
    name = _need(target, "gcloud", "gcloud:ticos-api-key")
    create = Step(("gcloud", "secrets", "create", name, "--data-file=-"))
    update = Step(
        ("gcloud", "secrets", "versions", "add", name, "--data-file=-"),
        missing="NOT_FOUND",
        then=create,
    )
    return Destination("gcloud", f"gcloud:{name}", f"Google secret {name}", update, tool="gcloud")


def _doppler(target: str) -> Destination:
    name = _need(target, "doppler", "doppler:TICOS_API_KEY")
    # No value argument: doppler reads it from stdin. --silent: its table would show the value.
    step = Step(("doppler", "secrets", "set", name, "--silent"))
    return Destination("doppler", f"doppler:{name}", f"Doppler secret {name}", step, tool="doppler")


def _custom(name: str, target: str, command: Sequence[str]) -> Destination:
    argv = tuple(part.replace(TARGET_PLACEHOLDER, target) for part in command)
    text = f"{name}:{target}" if target else name
    return Destination(name, text, text, Step(argv), tool=argv[0])


def parse(
    text: str, *, key_name: str = "", custom: Mapping[str, Sequence[str]] | None = None
) -> Destination:
    """`text` (`KIND:TARGET`, then gh's options) as a Destination; UsageError saying what to write.

    `key_name` is the new key's name (the keyring's user, the 1Password note); `custom` the
    `[[destinations]]` of config.toml, by name: a user-defined name wins over no built-in.
    """
    kind, _, target = text.strip().partition(":")
    if not kind:
        raise UsageError(f"no destination given; {HELP}")
    options: list[str] = []
    if kind == "gh":  # gh's own options may follow, as `gh secret set` takes them
        try:
            words = shlex.split(target)
        except ValueError as err:
            raise UsageError(f"destination {text!r}: {err}") from None
        target, options = (words[0], words[1:]) if words else ("", [])
    custom = custom or {}
    if kind in custom and kind not in KINDS:
        return _custom(kind, target, custom[kind])
    if kind == "gh":
        return _gh(target, options)
    if kind == "keyring":
        return _keyring(target, key_name)
    if kind == "op":
        return _op(target, key_name)
    builders = {
        "pass": _pass,
        "vault": _vault,
        "aws": _aws,
        "gcloud": _gcloud,
        "doppler": _doppler,
    }
    if kind not in builders:
        known = ", ".join(sorted(custom)) if custom else "none defined"
        raise UsageError(
            f"unknown destination {kind!r}; {HELP} (user-defined destinations: {known})"
        )
    return builders[kind](target)


def custom_destinations(config: Mapping[str, object], where: str) -> dict[str, list[str]]:
    """The `[[destinations]]` of a parsed config.toml, by name; UsageError for a bad entry."""
    entries = config.get("destinations", [])
    if not isinstance(entries, list):
        raise UsageError(f"{where}: destinations must be a list of [[destinations]] tables")
    found: dict[str, list[str]] = {}
    for index, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        command = entry.get("command") if isinstance(entry, dict) else None
        if (
            not isinstance(name, str)
            or not name
            or ":" in name
            or not isinstance(command, list)
            or not command
            or not all(isinstance(part, str) for part in command)
        ):
            raise UsageError(
                f'{where}: destination {index} needs name = "…" (no colon) and '
                'command = ["program", "arg", …] (the key comes on its stdin)'
            )
        found[name] = list(command)
    return found


def configured(text: str, key_name: str, config_file: Path) -> Destination:
    """`text` parsed with the `[[destinations]]` of `config_file`: what every surface calls."""
    from ticos_tui.settings.config import read_config_file

    custom = custom_destinations(read_config_file(config_file), str(config_file))
    return parse(text, key_name=key_name, custom=custom)
