"""How a key reads to a person: one wording for the CLI, the TUI table and the review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ticos_tui.core.models import ApiKey
from ticos_tui.core.present import (
    clip,
    created_text,
    describe,
    expires_text,
    last_used_text,
    scopes_summary,
)
from ticos_tui.core.review import review_keys

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def key(
    *,
    scopes: tuple[str, ...] = ("api_keys:read",),
    status: str = "active",
    expires_in: timedelta | None = None,
    idle: timedelta | None = DAY,
    age: timedelta = 30 * DAY,
    name: str = "Nightly Batch Script",
) -> ApiKey:
    return ApiKey(
        id="key_1",
        name=name,
        snippet="tk_AbC1…wXyZ",
        status=status,
        scopes=scopes,
        created_at=NOW - age,
        last_used_at=None if idle is None else NOW - idle,
        expires_at=None if expires_in is None else NOW + expires_in,
    )


@pytest.mark.parametrize(
    ("scopes", "text"),
    [
        (("*",), "full access"),
        (("api_keys:read", "*"), "full access"),
        ((), "no scopes"),
        (("api_keys:read",), "api_keys:read"),
        (("api_keys:read", "api_keys:write"), "api_keys:read, api_keys:write"),
        (
            ("api_keys:read", "usage:read", "api_keys:write"),
            "api_keys:read, usage:read, api_keys:write",
        ),
    ],
)
def test_scopes_summary_without_a_width_names_every_scope(
    scopes: tuple[str, ...], text: str
) -> None:
    assert scopes_summary(key(scopes=scopes)) == text


def test_scopes_summary_shortens_to_the_width_given() -> None:
    many = key(scopes=("api_keys:read", "api_keys:write", "usage:read", "terminals:read"))
    full = "api_keys:read, api_keys:write, usage:read, terminals:read"
    merged = "api_keys:read+write, usage:read, terminals:read"
    assert scopes_summary(many, width=len(full)) == full
    assert scopes_summary(many, width=len(full) - 1) == merged
    assert scopes_summary(many, width=len(merged)) == merged
    assert scopes_summary(many, width=len(merged) - 1) == "4 scopes"
    # "full access" is never replaced by a count; a lone scope too wide reads "1 scope",
    # never "terminals:wr…" (issue 12: a column must not cut its own text).
    assert scopes_summary(key(scopes=("*",)), width=5) == "full access"
    assert scopes_summary(key(scopes=("terminals:write",)), width=15) == "terminals:write"
    assert scopes_summary(key(scopes=("terminals:write",)), width=14) == "1 scope"
    assert scopes_summary(key(scopes=("terminals:write",))) == "terminals:write"


def test_time_columns_are_sized_for_the_widest_words_the_clock_makes() -> None:

    from ticos_tui.core.present import expired_width, relative_width
    from ticos_tui.core.timefmt import relative

    now = key().created_at
    words = [
        relative(now + sign * timedelta(seconds=s), now)
        for s in range(0, 400 * 86400, 599)
        for sign in (1, -1)
    ]
    assert max(len(w) for w in words) == relative_width() == len("59 minutes ago")
    assert expired_width() == len("expired 59 minutes ago")


def test_scopes_without_a_resource_are_not_merged_away() -> None:
    odd = key(scopes=("legacy", "legacy:read", "legacy:write"))
    assert scopes_summary(odd, width=30) == "legacy, legacy:read+write"


@pytest.mark.parametrize(
    ("status", "expires_in", "width", "text"),
    [
        ("active", None, None, "never"),
        ("active", 5 * DAY, None, "in 5 days"),
        ("active", 2 * DAY + timedelta(hours=13), None, "in 3 days"),
        ("expired", -3 * DAY, None, "expired 3 days ago"),
        ("expired", -3 * DAY, 13, "expired"),
        ("expired", None, None, "expired"),
        # The clock says expired before the server's status does.
        ("active", -timedelta(hours=2), None, "expired 2 hours ago"),
        # A revoked key no longer expires, whatever its expires_at says.
        ("revoked", 5 * DAY, None, "—"),
        ("revoked", -5 * DAY, None, "—"),
        ("revoked", None, None, "—"),
    ],
)
def test_expires_text(
    status: str, expires_in: timedelta | None, width: int | None, text: str
) -> None:
    assert expires_text(key(status=status, expires_in=expires_in), NOW, width) == text


def test_relative_times_and_description() -> None:
    made = key(age=3 * DAY, idle=None)
    assert created_text(made, NOW) == "3 days ago"
    assert last_used_text(made, NOW) == "never"
    assert last_used_text(key(idle=timedelta(hours=2)), NOW) == "2 hours ago"
    assert describe(made) == "“Nightly Batch Script” (key_1, tk_AbC1…wXyZ)"


def test_clip_counts_terminal_cells() -> None:
    assert clip("short", 10) == "short"
    assert clip("exactly ten", 11) == "exactly ten"
    assert clip("a longer name", 8) == "a longe…"
    # Wide characters take two cells: never more than the width, even when one is cut in half.
    assert clip("漢字漢字", 5) == "漢字…"
    assert clip("漢字漢字", 6) == "漢字…"


@pytest.mark.parametrize(
    "expires_in",
    [timedelta(hours=2), DAY + timedelta(hours=13), 2 * DAY + timedelta(hours=13), 6 * DAY],
)
def test_review_says_what_the_keys_table_says(expires_in: timedelta) -> None:
    soon = key(expires_in=expires_in)
    (item,) = review_keys([soon], now=NOW)
    assert item.reasons == (f"expires {expires_text(soon, NOW)}",)


def test_review_ages_read_as_the_keys_table_columns() -> None:
    unused = key(idle=None, age=12 * DAY)
    idle = key(idle=95 * DAY, age=200 * DAY, name="other")
    found = {i.key.name: i.reasons for i in review_keys([unused, idle], now=NOW)}
    assert found == {
        "Nightly Batch Script": (f"never used, created {created_text(unused, NOW)}",),
        "other": (f"last used {last_used_text(idle, NOW)}",),
    }
    assert found["other"] == ("last used 3 months ago",)


def test_a_key_lifetime_reads_as_its_expiry_did_when_made() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from tests.tui.fakes import sample_keys
    from ticos_tui.core.present import expires_text, lifetime_text

    made = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    key = replace(sample_keys(1)[0], created_at=made, expires_at=made + timedelta(days=30))
    assert lifetime_text(key) == "30 days"
    assert expires_text(key, made + timedelta(seconds=5)) == f"in {lifetime_text(key)}"
    assert lifetime_text(replace(key, expires_at=None)) is None
