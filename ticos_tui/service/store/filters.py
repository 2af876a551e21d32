"""The list rule both stores share: a page of keys by status, as SQL WHERE and parameters."""

from __future__ import annotations

from typing import Any


def key_list_filter(
    account_id: str, status: str, before_seq: int | None, now: str, *, mark: str, live: str
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters for a page of keys (both stores' one list rule).

    `mark` is the driver's placeholder (`?` or `%s`); `live` the store's "not deleted" test.
    Status is derived as in `key_json`: revoked first, then expired by the clock.
    """
    where = f"account_id = {mark} AND {live}"
    params: list[Any] = [account_id]
    if before_seq is not None:
        where += f" AND seq < {mark}"
        params.append(before_seq)
    if status == "active":
        where += f" AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {mark})"
        params.append(now)
    elif status == "revoked":
        where += " AND revoked_at IS NOT NULL"
    elif status == "expired":
        where += f" AND revoked_at IS NULL AND expires_at <= {mark}"
        params.append(now)
    return where, params
