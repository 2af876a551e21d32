from __future__ import annotations

from pathlib import Path

import pytest

from tests.stand_ins import StandIns, make_stand_ins


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIns:
    return make_stand_ins(tmp_path, monkeypatch)
