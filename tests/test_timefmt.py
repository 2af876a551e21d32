"""Relative times read as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticos_tui.core.timefmt import exact, relative

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-20), "just now"),
        (timedelta(days=-3, hours=-2), "3 days ago"),
        (timedelta(days=5, seconds=-30), "in 5 days"),
        (timedelta(minutes=59, seconds=50), "in 1 hour"),
        (timedelta(days=6, hours=13), "in 1 week"),
        (timedelta(hours=-1), "1 hour ago"),
        (timedelta(days=-400), "1 year ago"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(NOW + delta, NOW) == text


def test_never_and_exact() -> None:
    assert relative(None, NOW) == "never"
    assert exact(NOW) == "2026-11-26 12:00:00 UTC"
