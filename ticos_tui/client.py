"""The async client for the Ticos API-keys contract: typed results, every failure a `TicosError`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from ticos_tui import errors
from ticos_tui.config import EMBEDDED_BASE_URL
from ticos_tui.keyformat import redact
from ticos_tui.models import (
    KEEP_LIFETIME,
    SCOPES,
    Account,
    ApiKey,
    CreatedKey,
    KeepLifetime,
    UsageDay,
    VerifyResult,
    format_time,
    parse_time,
)

if TYPE_CHECKING:
    import ssl

T = TypeVar("T")

_DETAIL_LIMIT = 300
_AUTH_KINDS = ("missing", "malformed", "unknown", "revoked", "expired", "invalid")


@dataclass(frozen=True, slots=True)
class KeyPage:
    keys: list[ApiKey]
    next_cursor: str | None


class _Shape(Exception):
    """A response body that is JSON but not the contract's shape."""


def _key_path(key_id: str) -> str:
    if not key_id:
        raise errors.UsageError("a key id cannot be empty; see `ticos-tui keys list`")
    # Dots are encoded too, so `..` cannot become a dot segment that climbs out of /api-keys/.
    return "/api-keys/" + quote(key_id, safe="").replace(".", "%2E")


def _obj(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Shape("expected a JSON object")
    return data


def _api_key(data: Any) -> ApiKey:
    return ApiKey.from_json(_obj(data))


def _created(data: Any) -> CreatedKey:
    body = _obj(data)
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise _Shape("no key in the created object")
    return CreatedKey(api_key=ApiKey.from_json(body), key=key)


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

    Raises (from every method): a `ticos_tui.errors.TicosError` subclass whose message says
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
            f"the server at {self.base_url} did not answer within {self.timeout:g} s; "
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
        url = self.base_url + path
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
                    f"cannot connect to {self.base_url} ({_reason(err)}); is the server running? "
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
                    f"the server at {self.base_url} closed the connection before its answer was "
                    f"complete ({_reason(err)}); try again.{outcome}"
                ) from None
            except httpx.HTTPError as err:
                raise errors.ConnectionFailed(
                    f"the request to {self.base_url} failed ({_reason(err)}); "
                    "check --base-url / TICOS_BASE_URL"
                ) from None
            if response.status_code >= 500 and not last:
                await self._backoff(attempt)
                continue
            return self._parse(response, url, parse, expect_body=expect_body)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _backoff(self, attempt: int) -> None:
        await asyncio.sleep(min(0.2 * 2**attempt, 2.0))

    def _parse(
        self, response: httpx.Response, url: str, parse: Callable[[Any], T], *, expect_body: bool
    ) -> T:
        status = response.status_code
        if status >= 400:
            raise self._error(response)
        if 300 <= status < 400:
            raise errors.ProtocolError(
                f"the server at {self.base_url} answered with a redirect (HTTP {status}) instead "
                "of the Ticos API; check --base-url (https? the /v1 path?)"
            )
        if not expect_body:
            return parse(None)
        not_api = (
            f"the server at {self.base_url} did not answer with the Ticos API "
            f"({{what}}); check --base-url / TICOS_BASE_URL"
        )
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            what = f"got {content_type or 'no content type'} instead of JSON"
            raise errors.ProtocolError(not_api.format(what=what))
        try:
            data = response.json()
        except ValueError:
            raise errors.ProtocolError(not_api.format(what="its JSON is malformed")) from None
        try:
            return parse(data)
        except (_Shape, KeyError, TypeError, ValueError, AttributeError):
            what = f"the JSON from {response.request.url.path} is not the contract's shape"
            raise errors.ProtocolError(not_api.format(what=what)) from None

    def _detail(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return ""
        detail = data.get("detail") if isinstance(data, dict) else None
        if detail is None:
            return ""
        text = detail if isinstance(detail, str) else str(detail)
        if self._token:
            text = text.replace(self._token, "[credential]")
        # A secret in a server's detail (a hostile or careless server) must not reach a message.
        text = redact(text)
        text = " ".join(text.split())  # one line, whatever the server sent
        if len(text) > _DETAIL_LIMIT:
            text = text[:_DETAIL_LIMIT] + "…"
        return text

    def _error(self, response: httpx.Response) -> errors.ApiError:
        status = response.status_code
        detail = self._detail(response)
        said = f": {detail}" if detail else ""
        base = self.base_url
        if status == 401:
            lowered = detail.lower()
            kind = next((k for k in _AUTH_KINDS if k in lowered), None)
            if not self._token:
                kind = "missing"
            what = {
                "missing": "no credential was sent",
                None: "the credential was rejected",
            }.get(kind, f"the credential is {kind}")
            fix = f"set TICOS_TOKEN or run `ticos-tui login --base-url {base}`"
            if base == EMBEDDED_BASE_URL:  # no login to the embedded service: its token is local
                fix = "unset TICOS_TOKEN to use the local account, or set it to a valid key"
            return errors.AuthenticationFailed(
                f"not signed in to {base}: {what}{f' ({detail})' if detail else ''}; {fix}",
                status=status,
                detail=detail,
            )
        if status == 403:
            scope = next((s for s in SCOPES if s != "*" and s in detail), None)
            need = f"the scope {scope}" if scope else "a scope it does not have"
            return errors.PermissionDenied(
                f"permission denied: this credential needs {need}{said}; "
                "use a session token or a key with that scope",
                status=status,
                detail=detail,
            )
        if status == 404:
            path = response.request.url.path
            if "/api-keys/" in path and not path.endswith("/verify"):
                # The contract answers 404 alike for unknown ids and other accounts' keys,
                # so the server's detail adds nothing to the id that was asked for.
                key_id = path.split("/api-keys/", 1)[1].split("/", 1)[0]
                message = (
                    f"no API key with id {key_id} on this account; "
                    "list the ids with `ticos-tui keys list --status all`"
                )
            else:
                message = (
                    f"the server at {base} has no {path}{said}; "
                    "is --base-url the Ticos API root (ending in /v1)?"
                )
            return errors.NotFound(message, status=status, detail=detail)
        if status == 409:
            return errors.Conflict(
                f"the key's current state does not allow this{said or ' (HTTP 409)'}; "
                "refresh to see it",
                status=status,
                detail=detail,
            )
        if status == 422:
            return errors.ValidationFailed(
                f"the server rejected the request{said or ' (no detail given)'}",
                status=status,
                detail=detail,
            )
        if status in (400, 413):
            reason = "too large" if status == 413 else "unreadable"
            return errors.BadRequest(
                f"the server found the request {reason} (HTTP {status}){said}",
                status=status,
                detail=detail,
            )
        if status == 429:
            retry_after = _retry_after(response.headers.get("retry-after"))
            return errors.RateLimited(
                f"too many requests to {base}; retry after {retry_after} s",
                status=status,
                detail=detail,
                retry_after=retry_after,
            )
        if status >= 500:
            return errors.ServerError(
                f"the server at {base} failed (HTTP {status}){said}; try again in a moment",
                status=status,
                detail=detail,
            )
        return errors.ApiError(
            f"the server at {base} answered HTTP {status}{said}", status=status, detail=detail
        )

    # -- the contract's endpoints --

    async def healthz(self) -> bool:
        """True when the server answers `GET /healthz` with `{"status": "ok"}`."""
        data = await self._call("GET", "/healthz", _obj, auth=False)
        return data.get("status") == "ok"

    async def account(self) -> Account:
        return await self._call("GET", "/account", lambda d: Account.from_json(_obj(d)))

    async def list_keys_page(
        self, *, status: str = "all", limit: int = 100, cursor: str | None = None
    ) -> KeyPage:
        params: dict[str, Any] = {"status": status, "limit": limit}
        if cursor:
            params["cursor"] = cursor

        def parse(data: Any) -> KeyPage:
            body = _obj(data)
            items = body["data"]
            if not isinstance(items, list):
                raise _Shape("data is not a list")
            next_cursor = body.get("next_cursor")
            if next_cursor is not None and not isinstance(next_cursor, str):
                raise _Shape("next_cursor is not a string")
            return KeyPage([_api_key(item) for item in items], next_cursor or None)

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
                    f"the server at {self.base_url} sent the same page cursor twice; "
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
        return await self._call("GET", _key_path(key_id), _api_key)

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
        return await self._call("POST", "/api-keys", _created, json=body)

    async def rename_key(self, key_id: str, name: str) -> ApiKey:
        return await self._call("PATCH", _key_path(key_id), _api_key, json={"name": name})

    async def revoke_key(self, key_id: str) -> ApiKey:
        return await self._call("POST", _key_path(key_id) + "/revoke", _api_key)

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
        return await self._call("POST", _key_path(key_id) + "/roll", _created, json=body)

    async def end_session(self) -> None:
        """End the session token this client uses (`DELETE /session`); it stops working at once."""
        await self._call("DELETE", "/session", lambda _: None, expect_body=False)

    async def usage(self, key_id: str, *, days: int = 30) -> list[UsageDay]:
        def parse(data: Any) -> list[UsageDay]:
            items = _obj(data)["days"]
            if not isinstance(items, list):
                raise _Shape("days is not a list")
            return [
                UsageDay(date=date.fromisoformat(_obj(d)["date"]), requests=int(d["requests"]))
                for d in items
            ]

        return await self._call("GET", _key_path(key_id) + "/usage", parse, params={"days": days})

    async def verify(self, key: str) -> VerifyResult:
        """Whether `key` is a live API key (needs no credential; counts as a use of the key)."""

        def parse(data: Any) -> VerifyResult:
            body = _obj(data)
            valid = body["valid"]
            if not isinstance(valid, bool):
                raise _Shape("valid is not a boolean")
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


def _reason(err: Exception) -> str:
    """A short, one-line, secret-free cause for a transport error."""
    cause: BaseException | None = err
    while cause is not None and cause.__cause__ is not None and not str(cause):
        cause = cause.__cause__
    text = " ".join(str(cause or err).split()) or type(err).__name__
    return text[:160]


def _retry_after(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(0, int(float(value.strip())))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 1
        from ticos_tui.timefmt import now_utc

        return max(0, int((moment - now_utc()).total_seconds()))
