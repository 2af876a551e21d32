"""Key review: the active keys a careful person would act on, each with the reasons why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ticos_tui.core.models import ApiKey, UsageDay
from ticos_tui.core.present import created_text, expires_text, is_expired, last_used_text

NEVER_USED_AFTER = timedelta(days=7)
UNUSED_FOR = timedelta(days=90)
FULL_ACCESS_IDLE = timedelta(days=7)
EXPIRING_WITHIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    key: ApiKey
    reasons: tuple[str, ...]
    replaced_by: ApiKey | None = None  # the successor of a key in its roll grace period

    @property
    def rollable(self) -> bool:
        """False for a key already rolled: the service refuses a second roll (409)."""
        return self.replaced_by is None and self.key.replaced_by is None


def _name_slot(name: str) -> str:
    # "CI deploy" and "ci  deploy " are the same name to a person reading a list.
    return " ".join(name.split()).casefold()


def _idle_last_week(key: ApiKey, now: datetime, days: Sequence[UsageDay] | None) -> bool:
    """No request in the last 7 days, by last_used_at, and by the daily figures when given."""
    if key.last_used_at is not None and now - key.last_used_at < FULL_ACCESS_IDLE:
        return False
    if days:
        since = (now - FULL_ACCESS_IDLE).date()
        if any(d.requests > 0 for d in days if d.date > since):
            return False
    return True


def successor(key: ApiKey, keys: Sequence[ApiKey], now: datetime) -> ApiKey | None:
    """The key that replaced `key` in a roll still in its grace period, else None.

    Read from the roll's lineage (`replaced_by`, contract v1.2): a key of the same name made
    by hand is never a successor, however alike its name, scopes and creation time.
    """
    if key.replaced_by is None or is_expired(key, now):
        return None
    return next((other for other in keys if other.id == key.replaced_by), None)


def review_keys(
    keys: Sequence[ApiKey],
    *,
    now: datetime,
    usage: Mapping[str, Sequence[UsageDay]] | None = None,
) -> list[ReviewItem]:
    """The active keys among `keys` worth a second look, in the order given.

    Reasons (times worded as the keys table words them, by `ticos_tui.core.present`):
    never used and older than 7 days; not used for 90 days; full access (`*`)
    and no use in the last week (narrower scopes would likely do); expiring within
    7 days; more than one active key with the same name. A key in its roll grace period
    (see `successor`) has one reason, its replacement, and is not counted as a namesake.
    `usage` (key id to daily figures) is optional: `last_used_at` alone answers every
    rule, the figures only confirm the full-access one when a server updates
    `last_used_at` lazily.
    """
    active = [k for k in keys if k.status == "active" and not is_expired(k, now)]
    replaced = {k.id: s for k in active if (s := successor(k, active, now)) is not None}
    names = Counter(_name_slot(k.name) for k in active if k.id not in replaced)
    items: list[ReviewItem] = []
    for key in active:
        if key.id in replaced:
            new = replaced[key.id]
            ends = f"stops working {expires_text(key, now)}"
            items.append(ReviewItem(key, (f"being rolled: replaced by {new.id}; {ends}",), new))
            continue
        reasons: list[str] = []
        age = now - key.created_at
        if key.last_used_at is None and age >= NEVER_USED_AFTER:
            reasons.append(f"never used, created {created_text(key, now)}")
        if key.last_used_at is not None and now - key.last_used_at >= UNUSED_FOR:
            reasons.append(f"last used {last_used_text(key, now)}")
        if (
            key.full_access
            and age >= FULL_ACCESS_IDLE
            and _idle_last_week(key, now, (usage or {}).get(key.id))
        ):
            reasons.append("full access (*) but no use in the last 7 days: would fewer scopes do?")
        if key.expires_at is not None and key.expires_at - now <= EXPIRING_WITHIN:
            # The keys table's own words, so the review and the table agree to the day.
            reasons.append(f"expires {expires_text(key, now)}")
        if names[_name_slot(key.name)] > 1:
            reasons.append(f"{names[_name_slot(key.name)]} active keys share this name")
        if reasons:
            items.append(ReviewItem(key, tuple(reasons)))
    return items
