"""Stored logins remember where each token lives, so a token in the file never wakes the keyring
(issue 13 item 4: importing keyring and probing its backends cost 145–256 ms per command)."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ticos_tui.settings import credentials
from ticos_tui.settings.config import resolve_settings

FAKE_KEYRING = """
import json
import pathlib

CALLS = []
FAIL_SET = False
CALLS.append("import")
_SAVED = pathlib.Path(__file__).with_name("store.json")  # outlives a re-import, like an OS store


class _Store(dict):
    def __init__(self):
        super().__init__(
            {tuple(k.split("|", 1)): v for k, v in json.loads(_SAVED.read_text()).items()}
            if _SAVED.exists()
            else {}
        )

    def _save(self):
        _SAVED.write_text(json.dumps({"|".join(k): v for k, v in self.items()}))

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._save()

    def __delitem__(self, key):
        super().__delitem__(key)
        self._save()


STORE = _Store()


class Backend:
    priority = 5


def get_keyring():
    CALLS.append("get_keyring")
    return Backend()


def get_password(service, user):
    CALLS.append("get_password")
    return STORE.get((service, user))


def set_password(service, user, secret):
    CALLS.append("set_password")
    if FAIL_SET:
        raise RuntimeError("locked")
    STORE[(service, user)] = secret


def delete_password(service, user):
    CALLS.append("delete_password")
    del STORE[(service, user)]
"""

URL = "http://h.test/v1"


@pytest.fixture
def fake_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A `keyring` package on sys.path that records every call (and its own import)."""
    root = tmp_path / "site"
    (root / "keyring" / "backends").mkdir(parents=True)
    (root / "keyring" / "__init__.py").write_text(textwrap.dedent(FAKE_KEYRING))
    (root / "keyring" / "backends" / "__init__.py").write_text("")
    (root / "keyring" / "backends" / "fail.py").write_text("class Keyring:\n    pass\n")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    for name in [m for m in sys.modules if m == "keyring" or m.startswith("keyring.")]:
        monkeypatch.delitem(sys.modules, name)
    yield root
    for name in [m for m in sys.modules if m == "keyring" or m.startswith("keyring.")]:
        del sys.modules[name]


def loaded_keyring() -> ModuleType | None:
    return sys.modules.get("keyring")


def forget_keyring_import() -> None:
    for name in [m for m in sys.modules if m == "keyring" or m.startswith("keyring.")]:
        del sys.modules[name]


def test_a_token_in_the_file_never_touches_the_keyring(
    fake_keyring: Path, isolated_env: dict[str, Path]
) -> None:
    import keyring

    keyring.FAIL_SET = True  # type: ignore[attr-defined]  # a locked keyring: the file is used
    where = credentials.store_token(URL, "tst_in_file")
    assert where.startswith("file ")
    forget_keyring_import()  # a new process: nothing imported yet

    stored = credentials.load_token(URL)
    assert stored is not None and stored.token == "tst_in_file"
    assert loaded_keyring() is None  # not even imported


def test_a_token_in_the_keyring_is_remembered_as_there(
    fake_keyring: Path, isolated_env: dict[str, Path]
) -> None:
    where = credentials.store_token(URL, "tst_in_ring")
    assert where.startswith("keyring (")
    path = isolated_env["config"] / "credentials.json"
    text = path.read_text()
    assert "tst_in_ring" not in text and json.loads(text)["keyring"] == [URL]
    forget_keyring_import()

    assert credentials.load_token("http://other.test/v1") is None
    assert loaded_keyring() is None  # no login for that server: nothing to probe
    stored = credentials.load_token(URL)
    assert stored is not None and stored.token == "tst_in_ring"
    assert stored.source.startswith("keyring (")
    assert credentials.forget_token(URL)[0].startswith("keyring (")
    assert credentials.load_token(URL) is None and not path.exists()


def test_a_login_stored_in_the_keyring_before_markers_is_still_found(
    fake_keyring: Path, isolated_env: dict[str, Path]
) -> None:
    import keyring

    keyring.STORE[("ticos-tui", URL)] = "tst_legacy"  # type: ignore[attr-defined]
    stored = credentials.load_token(URL)
    assert stored is not None and stored.token == "tst_legacy"
    # Found once, remembered: the file now says where it is, without the token.
    text = (isolated_env["config"] / "credentials.json").read_text()
    assert json.loads(text)["keyring"] == [URL] and "tst_legacy" not in text


@pytest.mark.usefixtures("fake_keyring")  # a `keyring` package that works, on sys.path
def test_keyring_is_preferred_when_it_works(isolated_env: dict[str, Path]) -> None:
    import keyring

    where = credentials.store_token("http://k.test/v1", "tst_k")
    assert where.startswith("keyring (")
    assert keyring.STORE == {("ticos-tui", "http://k.test/v1"): "tst_k"}  # type: ignore[attr-defined]
    assert "tst_k" not in (isolated_env["config"] / "credentials.json").read_text()
    settings = resolve_settings(base_url="http://k.test")
    assert settings.token == "tst_k" and settings.token_source.startswith("keyring (")
    assert credentials.forget_token("http://k.test/v1")[0].startswith("keyring (")
    assert keyring.STORE == {}  # type: ignore[attr-defined]


def test_a_plaintext_keyring_is_not_a_keyring_for_login_tokens(
    isolated_env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyrings.alt's PlaintextKeyring (priority 0.5: "not recommended" by keyring itself) would
    keep the token in a file of its own choosing, outside our 0600 file: the token goes to ours."""
    import keyring

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    keyring.set_keyring(keyring.core.load_keyring("keyrings.alt.file.PlaintextKeyring"))
    try:
        where = credentials.store_token(URL, "tok_plain_secret")
    finally:
        keyring.set_keyring(keyring.core.load_keyring("keyring.backends.fail.Keyring"))
    assert where.startswith("file "), where
    path = credentials.credentials_file()
    assert json.loads(path.read_text())["tokens"] == {URL: "tok_plain_secret"}
    assert path.stat().st_mode & 0o777 == 0o600
    leaked = [p for p in (tmp_path / "xdg-data").rglob("*") if p.is_file()]
    assert not leaked, leaked  # nothing written by the plaintext backend


def test_a_token_left_in_a_plaintext_keyring_moves_to_the_file_when_read(
    isolated_env: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 0.4.0 put it there; the next read finds it, moves it to the 0600 file and takes
    it out of the plaintext one, so the login keeps working and the plain copy is gone."""
    import keyring

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    keyring.set_keyring(keyring.core.load_keyring("keyrings.alt.file.PlaintextKeyring"))
    try:
        keyring.set_password(credentials.KEYRING_SERVICE, URL, "tok_old_plain")
        credentials._record(URL, None, None)  # as 0.4.0 recorded it: "in the keyring"
        stored = credentials.load_token(URL)
        assert stored is not None and stored.token == "tok_old_plain"
        assert stored.source.startswith("file ")
        path = credentials.credentials_file()
        data = json.loads(path.read_text())
        assert data["tokens"] == {URL: "tok_old_plain"} and data["keyring"] == []
        assert keyring.get_password(credentials.KEYRING_SERVICE, URL) is None  # taken out
        assert credentials.load_token(URL).token == "tok_old_plain"  # from the file now
    finally:
        keyring.set_keyring(keyring.core.load_keyring("keyring.backends.fail.Keyring"))
