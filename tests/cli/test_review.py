"""Key review reasons (issue 5 item 3) with a fixed clock, and the usage text chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ticos_tui.core.models import ApiKey, UsageDay
from ticos_tui.core.review import review_keys
from ticos_tui.core.usagechart import bar_chart, sparkline

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def key(
    key_id: str,
    *,
    name: str | None = None,
    age: timedelta = 30 * DAY,
    idle: timedelta | None = None,
    scopes: tuple[str, ...] = ("api_keys:read",),
    expires_in: timedelta | None = None,
    status: str = "active",
    replaces: str | None = None,
    replaced_by: str | None = None,
) -> ApiKey:
    return ApiKey(
        id=key_id,
        name=name or key_id,
        snippet="tk_AbC1…wXyZ",
        status=status,
        scopes=scopes,
        created_at=NOW - age,
        last_used_at=None if idle is None else NOW - idle,
        expires_at=None if expires_in is None else NOW + expires_in,
        replaces=replaces,
        replaced_by=replaced_by,
    )


def reasons(*keys: ApiKey, **kw: object) -> dict[str, tuple[str, ...]]:
    return {i.key.id: i.reasons for i in review_keys(keys, now=NOW, **kw)}  # type: ignore[arg-type]


def test_never_used_after_seven_days() -> None:
    found = reasons(key("old", age=12 * DAY), key("new", age=6 * DAY))
    assert found == {"old": ("never used, created 12 days ago",)}


def test_not_used_for_ninety_days() -> None:
    found = reasons(key("idle", idle=95 * DAY, age=200 * DAY), key("busy", idle=89 * DAY))
    assert found == {"idle": ("last used 3 months ago",)}


def test_full_access_idle_for_a_week() -> None:
    full = ("*",)
    found = reasons(
        key("idle", scopes=full, idle=8 * DAY),
        key("used", scopes=full, idle=DAY),
        key("young", scopes=full, age=3 * DAY),
        key("narrow", idle=8 * DAY),
    )
    assert list(found) == ["idle"]
    assert found["idle"][0].startswith("full access (*) but no use in the last 7 days")


def test_usage_figures_confirm_recent_use_of_full_access() -> None:
    # last_used_at lags (a server that coalesces writes), the daily figures show use.
    lagging = key("lag", scopes=("*",), idle=10 * DAY)
    days = [UsageDay(NOW.date() - timedelta(days=n), 5 if n == 1 else 0) for n in range(30)]
    assert reasons(lagging, usage={"lag": days}) == {}
    quiet = [UsageDay(d.date, 0) for d in days]
    assert "lag" in reasons(lagging, usage={"lag": quiet})


def test_expiring_within_seven_days() -> None:
    found = reasons(
        key("soon", idle=DAY, expires_in=3 * DAY + timedelta(hours=1)),
        key("today", idle=DAY, expires_in=timedelta(hours=2)),
        key("later", idle=DAY, expires_in=8 * DAY),
    )
    assert found == {"soon": ("expires in 3 days",), "today": ("expires in 2 hours",)}


def test_duplicate_active_names() -> None:
    found = reasons(
        key("a", name="Deploy", idle=DAY),
        key("b", name=" deploy ", idle=DAY),
        key("c", name="deploy", idle=DAY, status="revoked"),
        key("d", name="other", idle=DAY),
    )
    assert found == {
        "a": ("2 active keys share this name",),
        "b": ("2 active keys share this name",),
    }


def test_only_active_keys_and_several_reasons() -> None:
    found = reasons(
        key("gone", age=100 * DAY, status="revoked"),
        key("lapsed", age=100 * DAY, expires_in=-DAY),  # status not yet updated by the server
        key("many", age=20 * DAY, scopes=("*",), expires_in=2 * DAY),
    )
    assert list(found) == ["many"]
    assert len(found["many"]) == 3


def test_a_key_in_its_roll_grace_period_is_not_offered_for_rolling() -> None:
    # The roll's lineage (v1.2): the old key names its successor, the successor the old key.
    old = key("old", name="Deploy", age=40 * DAY, idle=DAY, expires_in=timedelta(hours=23),
              replaced_by="new")  # fmt: skip
    new = key("new", name="Deploy", age=timedelta(hours=1), idle=None, replaces="old")
    items = {i.key.id: i for i in review_keys([new, old], now=NOW)}
    assert list(items) == ["old"]  # the successor is not flagged for sharing the name
    assert items["old"].replaced_by == new and not items["old"].rollable
    assert items["old"].reasons == ("being rolled: replaced by new; stops working in 23 hours",)


def test_namesakes_made_in_the_same_second_are_not_a_roll() -> None:
    # Two keys named alike made by hand at the same moment, one with an expiry: no lineage, so
    # no roll; both real reasons show (issue 20 item 9, issue 22 item 7).
    made = timedelta(hours=1)
    short = key("short", name="Deploy", age=made, expires_in=2 * DAY)
    plain = key("plain", name="Deploy", age=made)
    items = {i.key.id: i for i in review_keys([plain, short], now=NOW)}
    assert items["short"].rollable and items["short"].replaced_by is None
    assert items["short"].reasons == ("expires in 2 days", "2 active keys share this name")
    assert items["plain"].reasons == ("2 active keys share this name",)


def test_a_successor_that_is_gone_leaves_the_old_key_not_rollable_but_reviewed() -> None:
    # Rolled, then the new key was deleted: the old one still cannot be rolled again (409).
    old = key("old", name="Deploy", idle=DAY, expires_in=timedelta(hours=5), replaced_by="gone")
    items = {i.key.id: i for i in review_keys([old], now=NOW)}
    assert not items["old"].rollable
    assert items["old"].reasons == ("expires in 5 hours",)


def test_sparkline_and_bars() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    days = [
        UsageDay(date(2026, 11, 1), 0),
        UsageDay(date(2026, 11, 2), 10),
        UsageDay(date(2026, 11, 3), 5),
    ]
    lines = bar_chart(days, width=10)
    assert lines[0] == "2026-11-01" + " " * 12 + "   0"
    assert lines[1] == "2026-11-02  " + "█" * 10 + "  10"
    assert lines[2] == "2026-11-03  " + "█" * 5 + " " * 5 + "   5"
