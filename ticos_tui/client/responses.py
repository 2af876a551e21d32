"""Reading the Ticos service's answers: the contract's JSON shapes, and each error status as the
`TicosError` it means, its message saying what happened and what to do. `TicosClient` uses these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ticos_tui.core import errors
from ticos_tui.core.keyformat import redact
from ticos_tui.core.models import ApiKey, AuditEvent, CreatedKey
from ticos_tui.core.scopes import SCOPES
from ticos_tui.settings.config import EMBEDDED_BASE_URL, server_name

T = TypeVar("T")

_DETAIL_LIMIT = 300
_AUTH_KINDS = ("missing", "malformed", "unknown", "revoked", "expired", "invalid")


class ShapeError(Exception):
    """A response body that is JSON but not the contract's shape."""


def json_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ShapeError("expected a JSON object")
    return data


def api_key(data: Any) -> ApiKey:
    return ApiKey.from_json(json_object(data))


def audit_event(data: Any) -> AuditEvent:
    return AuditEvent.from_json(json_object(data))


def created_key(data: Any) -> CreatedKey:
    body = json_object(data)
    key = body.get("key")
    if not isinstance(key, str) or not key:
        raise ShapeError("no key in the created object")
    return CreatedKey(api_key=ApiKey.from_json(body), key=key)


def parse_response(
    response: httpx.Response,
    parse: Callable[[Any], T],
    *,
    base_url: str,
    token: str | None,
    expect_body: bool,
) -> T:
    """What `parse` makes of a response's JSON; any other answer as the TicosError it means."""
    status = response.status_code
    if status >= 400:
        raise response_error(response, base_url=base_url, token=token)
    if 300 <= status < 400:
        raise errors.ProtocolError(
            f"{server_name(base_url)} answered with a redirect (HTTP {status}) instead "
            "of the Ticos API; check --base-url (https? the /v1 path?)"
        )
    if not expect_body:
        return parse(None)
    not_api = (
        f"{server_name(base_url)} did not answer with the Ticos API "
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
    except (ShapeError, KeyError, TypeError, ValueError, AttributeError):
        what = f"the JSON from {response.request.url.path} is not the contract's shape"
        raise errors.ProtocolError(not_api.format(what=what)) from None


def response_detail(response: httpx.Response, token: str | None) -> str:
    """The server's `detail`, on one line, shortened, with no credential or key in it."""
    try:
        data = response.json()
    except ValueError:
        return ""
    detail = data.get("detail") if isinstance(data, dict) else None
    if detail is None:
        return ""
    text = detail if isinstance(detail, str) else str(detail)
    if token:
        text = text.replace(token, "[credential]")
    # A secret in a server's detail (a hostile or careless server) must not reach a message.
    text = redact(text)
    text = " ".join(text.split())  # one line, whatever the server sent
    if len(text) > _DETAIL_LIMIT:
        text = text[:_DETAIL_LIMIT] + "…"
    return text


def response_error(
    response: httpx.Response, *, base_url: str, token: str | None
) -> errors.ApiError:
    """The error an HTTP error status means, its message saying what to do."""
    status = response.status_code
    detail = response_detail(response, token)
    said = f": {detail}" if detail else ""
    base = base_url
    if status == 401:
        lowered = detail.lower()
        kind = next((k for k in _AUTH_KINDS if k in lowered), None)
        if not token:
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
                f"{server_name(base)} has no {path}{said}; "
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
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        return errors.RateLimited(
            f"too many requests to {base}; retry after {retry_after} s",
            status=status,
            detail=detail,
            retry_after=retry_after,
        )
    if status >= 500:
        return errors.ServerError(
            f"{server_name(base)} failed (HTTP {status}){said}; try again in a moment",
            status=status,
            detail=detail,
        )
    return errors.ApiError(
        f"{server_name(base)} answered HTTP {status}{said}", status=status, detail=detail
    )


def transport_reason(err: Exception) -> str:
    """A short, one-line, secret-free cause for a transport error."""
    cause: BaseException | None = err
    while cause is not None and cause.__cause__ is not None and not str(cause):
        cause = cause.__cause__
    text = " ".join(str(cause or err).split()) or type(err).__name__
    return text[:160]


def retry_after_seconds(value: str | None) -> int:
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
        from ticos_tui.core.timefmt import now_utc

        return max(0, int((moment - now_utc()).total_seconds()))
