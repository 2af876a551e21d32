"""Relative times read as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticos_tui.core.timefmt import duration, exact, relative

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-20), "just now"),
        (timedelta(days=-3, hours=-2), "3 days ago"),
        (timedelta(days=5, seconds=-30), "in 5 days"),
        (timedelta(minutes=59, seconds=50), "in 1 hour"),
        (timedelta(days=6, hours=13), "in 7 days"),
        # A 30-day key a second after it was made reads as it did when made (not "in 4 weeks").
        (timedelta(days=30, seconds=-1), "in 30 days"),
        (timedelta(days=30), "in 30 days"),
        (timedelta(days=-21), "21 days ago"),
        (timedelta(days=59, hours=13), "in 2 months"),
        (timedelta(days=90, seconds=-1), "in 3 months"),
        (timedelta(days=365, seconds=-1), "in 1 year"),
        (timedelta(days=350), "in 1 year"),
        (timedelta(days=-330), "11 months ago"),
        (timedelta(hours=-1), "1 hour ago"),
        (timedelta(days=-400), "1 year ago"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(NOW + delta, NOW) == text


def test_a_lifetime_is_worded_as_the_expiry_it_gives() -> None:
    """The roll dialog's "same lifetime" and the table's "in 30 days" come from one function."""
    for days in (1, 7, 29, 30, 45, 90, 365, 400):
        span = timedelta(days=days)
        assert f"in {duration(span)}" == relative(NOW + span, NOW)
        assert f"in {duration(span)}" == relative(NOW + span - timedelta(seconds=1), NOW)


def test_never_and_exact() -> None:
    assert relative(None, NOW) == "never"
    assert exact(NOW) == "2026-11-26 12:00:00 UTC"
