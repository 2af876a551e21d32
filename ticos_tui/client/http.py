"""The async client for the Ticos API-keys contract: typed results, every failure a `TicosError`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from ticos_tui.client.responses import (
    ShapeError,
    api_key,
    audit_event,
    created_key,
    json_object,
    parse_response,
    transport_reason,
)
from ticos_tui.core import errors
from ticos_tui.core.models import (
    KEEP_LIFETIME,
    Account,
    ApiKey,
    AuditEvent,
    CreatedKey,
    KeepLifetime,
    UsageDay,
    VerifyResult,
    format_time,
    parse_time,
)
from ticos_tui.settings.config import server_name

if TYPE_CHECKING:
    import ssl

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KeyPage:
    keys: list[ApiKey]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[AuditEvent]
    next_cursor: str | None


def _key_path(key_id: str) -> str:
    if not key_id:
        raise errors.UsageError("a key id cannot be empty; see `ticos-tui keys list`")
    # Dots are encoded too, so `..` cannot become a dot segment that climbs out of /api-keys/.
    return "/api-keys/" + quote(key_id, safe="").replace(".", "%2E")


class TicosClient:
    """One connection to a Ticos API-keys service (embedded via an ASGI transport, or over HTTP).

    Args:
        base_url: the API root, ending in `/v1`.
        token: a session token or API key sent as `Authorization: Bearer`; None sends none.
        transport: an httpx transport (the embedded mode passes an `ASGITransport`).
        verify: the TLS context that checks the server's certificate (httpx's default: certifi).
        trust_env: follow HTTP(S)_PROXY / ALL_PROXY / NO_PROXY from the environment.
        timeout: seconds allowed for each request.
        retries: extra attempts for GET requests after a connection failure or a 5xx answer.

    Raises (from every method): a `ticos_tui.core.errors.TicosError` subclass whose message says
    what happened and what to do. No message, log line, repr or URL ever holds the token.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, retries)
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "ticos-tui"},
            follow_redirects=False,
            verify=verify,
            trust_env=trust_env,
        )

    def __repr__(self) -> str:
        return f"TicosClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> TicosClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the one boundary where httpx and the wire format become TicosErrors --

    async def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        auth: bool = True,
        expect_body: bool = True,
    ) -> T:
        # `timeout` bounds the whole wait, retries and their back-off included.
        try:
            async with asyncio.timeout(self.timeout):
                return await self._attempts(
                    method,
                    path,
                    parse,
                    params=params,
                    json=json,
                    auth=auth,
                    expect_body=expect_body,
                )
        except TimeoutError:
            raise self._timed_out() from None

    def _timed_out(self) -> errors.RequestTimedOut:
        return errors.RequestTimedOut(
            f"{server_name(self.base_url)} did not answer within {self.timeout:g} s; "
            "try again, or allow longer with --timeout"
        )

    async def _attempts(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, Any] | None,
        json: Any,
        auth: bool,
        expect_body: bool,
    ) -> T:
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        attempts = 1 + (self.retries if method == "GET" else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except httpx.TimeoutException as err:
                if isinstance(err, httpx.ConnectTimeout) and not last:
                    await self._backoff(attempt)
                    continue
                raise self._timed_out() from None
            except httpx.ConnectError as err:
                if not last:
                    await self._backoff(attempt)
                    continue
                raise errors.ConnectionFailed(
                    f"cannot connect to {self.base_url} ({transport_reason(err)}); is the server running? "
                    "Start one with `ticos-tui serve`, or check --base-url / TICOS_BASE_URL"
                ) from None
            except (httpx.ReadError, httpx.RemoteProtocolError) as err:
                if not last:
                    await self._backoff(attempt)
                    continue
                # Connected, then cut off: a write may have been done before the answer was lost.
                outcome = (
                    ""
                    if method == "GET"
                    else " The change may or may not have been made: refresh to check."
                )
                raise errors.ConnectionFailed(
                    f"{server_name(self.base_url)} closed the connection before its answer was "
                    f"complete ({transport_reason(err)}); try again.{outcome}"
                ) from None
            except httpx.HTTPError as err:
                raise errors.ConnectionFailed(
                    f"the request to {self.base_url} failed ({transport_reason(err)}); "
                    "check --base-url / TICOS_BASE_URL"
                ) from None
            if response.status_code >= 500 and not last:
                await self._backoff(attempt)
                continue
            return parse_response(
                response, parse, base_url=self.base_url, token=self._token, expect_body=expect_body
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _backoff(self, attempt: int) -> None:
        await asyncio.sleep(min(0.2 * 2**attempt, 2.0))

    # -- the contract's endpoints --

    async def healthz(self) -> bool:
        """True when the server answers `GET /healthz` with `{"status": "ok"}`."""
        data = await self._call("GET", "/healthz", json_object, auth=False)
        return data.get("status") == "ok"

    async def account(self) -> Account:
        return await self._call("GET", "/account", lambda d: Account.from_json(json_object(d)))

    async def list_keys_page(
        self, *, status: str = "all", limit: int = 100, cursor: str | None = None
    ) -> KeyPage:
        params: dict[str, Any] = {"status": status, "limit": limit}
        if cursor:
            params["cursor"] = cursor

        def parse(data: Any) -> KeyPage:
            body = json_object(data)
            items = body["data"]
            if not isinstance(items, list):
                raise ShapeError("data is not a list")
            next_cursor = body.get("next_cursor")
            if next_cursor is not None and not isinstance(next_cursor, str):
                raise ShapeError("next_cursor is not a string")
            return KeyPage([api_key(item) for item in items], next_cursor or None)

        return await self._call("GET", "/api-keys", parse, params=params)

    async def iter_key_pages(
        self, *, status: str = "all", page_size: int = 1000, first_page_size: int | None = None
    ) -> AsyncIterator[list[ApiKey]]:
        """Every key, one list per page, newest first, following `next_cursor` to the end.

        `first_page_size` lets a screen ask for just a screenful first, so it can draw
        before the rest arrives.
        """
        page_size = min(max(page_size, 1), 1000)
        limit = min(max(first_page_size or page_size, 1), 1000)
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.list_keys_page(status=status, limit=limit, cursor=cursor)
            limit = page_size
            yield page.keys
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise errors.ProtocolError(
                    f"{server_name(self.base_url)} sent the same page cursor twice; "
                    "it does not paginate as the Ticos API does"
                )
            seen.add(page.next_cursor)
            cursor = page.next_cursor

    async def list_keys(self, *, status: str = "all", page_size: int = 1000) -> list[ApiKey]:
        keys: list[ApiKey] = []
        async for page in self.iter_key_pages(status=status, page_size=page_size):
            keys.extend(page)
        return keys

    async def get_key(self, key_id: str) -> ApiKey:
        return await self._call("GET", _key_path(key_id), api_key)

    async def create_key(
        self,
        name: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        expires_at: datetime | None = None,
    ) -> CreatedKey:
        body: dict[str, Any] = {"name": name}
        if scopes is not None:
            body["scopes"] = list(scopes)
        if expires_at is not None:
            body["expires_at"] = format_time(expires_at)
        return await self._call("POST", "/api-keys", created_key, json=body)

    async def rename_key(self, key_id: str, name: str) -> ApiKey:
        return await self._call("PATCH", _key_path(key_id), api_key, json={"name": name})

    async def revoke_key(self, key_id: str) -> ApiKey:
        return await self._call("POST", _key_path(key_id) + "/revoke", api_key)

    async def delete_key(self, key_id: str) -> None:
        await self._call("DELETE", _key_path(key_id), lambda _: None, expect_body=False)

    async def roll_key(
        self,
        key_id: str,
        *,
        grace_seconds: int = 0,
        expires_at: datetime | KeepLifetime | None = KEEP_LIFETIME,
    ) -> CreatedKey:
        """A new key replacing `key_id`; it expires at `expires_at` (None: never), or by default
        after the old key's lifetime from now. A revoked, expired or already-rolled key: `Conflict`.
        """
        body: dict[str, Any] = {"grace_seconds": grace_seconds}
        if expires_at is not KEEP_LIFETIME:
            body["expires_at"] = None if expires_at is None else format_time(expires_at)
        return await self._call("POST", _key_path(key_id) + "/roll", created_key, json=body)

    async def end_session(self) -> None:
        """End the session token this client uses (`DELETE /session`); it stops working at once."""
        await self._call("DELETE", "/session", lambda _: None, expect_body=False)

    async def usage(self, key_id: str, *, days: int = 30) -> list[UsageDay]:
        def parse(data: Any) -> list[UsageDay]:
            items = json_object(data)["days"]
            if not isinstance(items, list):
                raise ShapeError("days is not a list")
            return [
                UsageDay(
                    date=date.fromisoformat(json_object(d)["date"]), requests=int(d["requests"])
                )
                for d in items
            ]

        return await self._call("GET", _key_path(key_id) + "/usage", parse, params={"days": days})

    async def audit_events_page(
        self,
        *,
        key_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventPage:
        """A page of the account's audit log, newest first (needs the `audit:read` scope)."""
        query = {"key_id": key_id, "action": action, "since": format_time(since), "cursor": cursor}
        params: dict[str, Any] = {k: v for k, v in query.items() if v is not None}
        params["limit"] = limit

        def parse(data: Any) -> EventPage:
            body = json_object(data)
            items = body["data"]
            next_cursor = body.get("next_cursor")
            if not isinstance(items, list) or not isinstance(next_cursor, str | None):
                raise ShapeError("not a page of events")
            return EventPage([audit_event(item) for item in items], next_cursor or None)

        return await self._call("GET", "/audit-events", parse, params=params)

    async def verify(self, key: str) -> VerifyResult:
        """Whether `key` is a live API key (needs no credential; counts as a use of the key)."""

        def parse(data: Any) -> VerifyResult:
            body = json_object(data)
            valid = body["valid"]
            if not isinstance(valid, bool):
                raise ShapeError("valid is not a boolean")
            if not valid:
                return VerifyResult(valid=False, reason=str(body.get("reason") or "unknown"))
            return VerifyResult(
                valid=True,
                key_id=str(body["key_id"]),
                account_id=str(body.get("account_id") or "") or None,
                scopes=tuple(str(s) for s in body.get("scopes") or ()),
                expires_at=parse_time(body.get("expires_at")),
            )

        return await self._call("POST", "/api-keys/verify", parse, json={"key": key}, auth=False)
