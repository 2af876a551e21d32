"""The real stores: Debian's `pass` (with a throwaway GPG home) and the `keyring` library with
keyrings.alt's file backend; the stored secret reads back equal."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ticos_tui.handoff.destinations import parse
from ticos_tui.handoff.send import send

KEY = "tk_live_Pa55Ke7Qm2Pq7Rt4Vw8Yb3Nc6Df1Gh5"

# pass and gnupg are part of the test environment (Debian: apt install pass gnupg).
assert shutil.which("pass") and shutil.which("gpg"), "install pass and gnupg to run these tests"


@pytest.fixture
def password_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    store = tmp_path / "password-store"
    env = {**os.environ, "GNUPGHOME": str(gnupg), "PASSWORD_STORE_DIR": str(store)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "ticos-test@example.com",
         "default", "default", "never"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["pass", "init", "ticos-test@example.com"], env=env, check=True, capture_output=True
    )
    monkeypatch.setenv("GNUPGHOME", env["GNUPGHOME"])
    monkeypatch.setenv("PASSWORD_STORE_DIR", env["PASSWORD_STORE_DIR"])
    yield env
    subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)


def _read_back(env: dict[str, str], name: str) -> str:
    done = subprocess.run(["pass", "show", name], env=env, check=True, capture_output=True)
    return done.stdout.decode()


def test_pass_stores_the_key_and_it_reads_back_equal(password_store: dict[str, str]) -> None:
    dest = parse("pass:ci/deploy")
    sent = send(dest, KEY)
    assert sent.ok, sent.message
    assert sent.message == "stored in pass:ci/deploy"
    assert _read_back(password_store, "ci/deploy") == KEY + "\n"


def test_pass_replaces_the_old_key_on_a_roll(password_store: dict[str, str]) -> None:
    assert send(parse("pass:ci/deploy"), KEY).ok
    new = KEY[::-1]
    assert send(parse("pass:ci/deploy"), new).ok  # no overwrite question eats the key
    assert _read_back(password_store, "ci/deploy") == new + "\n"


def test_pass_without_a_store_reports_its_own_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSWORD_STORE_DIR", str(tmp_path / "no-store"))
    monkeypatch.setenv("GNUPGHOME", str(tmp_path))
    sent = send(parse("pass:ci/deploy"), KEY)
    assert not sent.ok
    assert sent.message.startswith("pass failed (exit 1): ")
    assert "pass init" in sent.message  # pass's own advice


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    import keyring
    import keyring.core

    keyring.core._keyring_backend = None  # pick the backend again, from the environment
    yield tmp_path / "xdg"
    keyring.core._keyring_backend = None


def test_keyring_stores_the_key_and_it_reads_back_equal() -> None:
    import keyring
    import keyring.backend

    class MemoryKeyring(keyring.backend.KeyringBackend):
        """What an OS store is to `keyring` (priority 1: recommended), held in memory."""

        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            del self.items[(service, username)]

    store = MemoryKeyring()
    keyring.set_keyring(store)
    try:
        dest = parse("keyring", key_name="ci deploy")
        sent = send(dest, KEY)
        assert sent.ok, sent.message
        assert sent.message == "stored in the keyring (ticos-api-keys / ci deploy)"
        assert keyring.get_password("ticos-api-keys", "ci deploy") == KEY
        assert send(parse("keyring:team#ci"), KEY[::-1]).ok
        assert store.items[("team", "ci")] == KEY[::-1]
    finally:
        keyring.core._keyring_backend = None  # picked again, from the environment


def test_a_plaintext_keyring_is_refused_and_given_nothing(file_keyring: Path) -> None:
    """keyrings.alt's PlaintextKeyring is a file of its own (keyring does not recommend it):
    the key is not written there, and the user is told why and what to do."""
    sent = send(parse("keyring", key_name="ci deploy"), KEY)
    assert not sent.ok
    assert "keyrings.alt.file.PlaintextKeyring" in sent.message
    assert "no OS credential store" in sent.message and "another destination" in sent.message
    assert not [p for p in file_keyring.rglob("*") if p.is_file()], "nothing written"


def test_no_keyring_backend_is_reported_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    try:
        sent = send(parse("keyring"), KEY)
    finally:
        keyring.core._keyring_backend = None
    assert not sent.ok
    assert "no OS keyring" in sent.message
