"""Reading request bodies and query values strictly, and the contract's validation rules."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect, Request

from ticos_tui.core.models import STATUSES
from ticos_tui.core.names import FORBIDDEN_IN_NAME, NAME_MAX
from ticos_tui.core.sanitize import draws_something, hidden_char
from ticos_tui.core.scopes import SCOPES

MAX_BODY = 16 * 1024
MAX_GRACE = 604_800

# Forbidden anywhere in a (trimmed) name: C0, DEL, C1, line/paragraph separators, bidi
# embeddings/overrides and isolates, and lone surrogates (which JSON's \ud800 escapes can carry
# but UTF-8 cannot store).
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_UINT = re.compile(r"[0-9]{1,7}", re.ASCII)


class ApiProblem(Exception):
    """An error answer of the contract: status, `detail`, and any headers it needs."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


RETRY_AFTER = "2"  # seconds: a lock or a reconnect usually takes less


def unavailable(reason: str) -> ApiProblem:
    """The answer when the store cannot answer in time: 503 with Retry-After, never a bare 500."""
    return ApiProblem(503, f"{reason}; retry later", {"Retry-After": RETRY_AFTER})


def invalid(field: str, problem: str) -> ApiProblem:
    return ApiProblem(422, f"{field}: {problem}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A body with the same key twice is ambiguous (parsers disagree on which wins, which is how
    # request-smuggling style bugs start), so it is refused as unreadable rather than guessed.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_content_length(length: str | None) -> None:
    """413 when a declared body is over the limit, 400 when the header is not a number."""
    if length is not None:
        if not _UINT.fullmatch(length.strip()):
            raise ApiProblem(400, "body: invalid Content-Length")
        if int(length) > MAX_BODY:
            raise ApiProblem(413, f"body: larger than {MAX_BODY} bytes")


def too_large() -> ApiProblem:
    return ApiProblem(413, f"body: larger than {MAX_BODY} bytes")


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object: 413 past 16 KiB, 400 if unreadable; {} if empty and optional."""
    check_content_length(request.headers.get("content-length"))
    chunks = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise too_large()
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiProblem(400, "body: the client went away before sending it") from None
    return parse_json_body(
        b"".join(chunks), request.headers.get("content-type", ""), required=required
    )


# Made once: json.loads with options builds a new decoder on every call (verify parses per request).
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def parse_json_body(body: bytes, content_type: str, *, required: bool = True) -> dict[str, Any]:
    """`body` as a JSON object (UTF-8, no duplicate keys, no NaN): 400 with the reason otherwise."""
    if not body.strip():
        if required:
            raise ApiProblem(400, "body: a JSON object is required")
        return {}
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise ApiProblem(400, "body: Content-Type must be application/json")
    charset = params.strip().lower()
    if charset and charset.replace(" ", "") not in (
        "charset=utf-8",
        "charset=utf8",
        'charset="utf-8"',
    ):
        raise ApiProblem(400, "body: only UTF-8 JSON is accepted")
    try:
        text = body.decode("utf-8")
        data = _DECODER.decode(text)
    except UnicodeDecodeError:
        raise ApiProblem(400, "body: not valid UTF-8") from None
    except (ValueError, RecursionError):
        raise ApiProblem(400, "body: not valid JSON (or a key appears twice)") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "body: must be a JSON object")
    return data


def validate_name(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("name", "must be a string")
    name = value.strip()
    if not name:
        raise invalid("name", "must not be empty")
    if len(name) > NAME_MAX:
        raise invalid("name", f"must be at most {NAME_MAX} characters after trimming")
    if FORBIDDEN_IN_NAME.search(name):
        raise invalid(
            "name",
            "must not contain control characters, line separators, bidi controls or lone surrogates",
        )
    hidden = hidden_char(name)  # the one rule for every surface (sanitize.py)
    if hidden is not None:
        raise invalid("name", f"must not contain invisible characters (U+{ord(hidden):04X})")
    if not draws_something(name):
        raise invalid(
            "name",
            "must contain at least one visible character (not only spaces, U+2800 or fillers)",
        )
    return name


def validate_scopes(value: Any) -> list[str]:
    """The given scopes (null is not a list: leave the field out for the default, `["*"]`)."""
    if not isinstance(value, list):
        raise invalid("scopes", "must be a list of scope names")
    if not value:
        raise invalid("scopes", "must name at least one scope")
    scopes: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in SCOPES:
            raise invalid("scopes", "unknown scope; known scopes are " + ", ".join(SCOPES))
        if item not in scopes:
            scopes.append(item)
    return scopes


def validate_expires_at(value: Any, now: float) -> str | None:
    """A future time at most 10 years ahead, normalised to the contract's `...Z` second form."""
    if value is None:
        return None
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise invalid("expires_at", "must be an RFC 3339 time such as 2030-01-31T12:00:00Z")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid("expires_at", "is not a real date and time") from None
    moment = moment.replace(microsecond=0)
    current = datetime.fromtimestamp(int(now), UTC)
    if moment <= current:
        raise invalid("expires_at", "must be in the future")
    try:
        limit = current.replace(year=current.year + 10)
    except ValueError:  # 29 February
        limit = current.replace(year=current.year + 10, day=28)
    if moment > limit:
        raise invalid("expires_at", "must be at most 10 years ahead")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_grace(value: Any) -> int:
    # JSON has one number type: 5.0 is the integer 5, while true is not a number at all.
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or not 0 <= value <= MAX_GRACE:
        raise invalid("grace_seconds", f"must be an integer from 0 to {MAX_GRACE}")
    return value


def query_value(request: Request, field: str) -> str | None:
    values = request.query_params.getlist(field)
    if len(values) > 1:
        raise invalid(field, "given more than once")
    return values[0] if values else None


def query_int(request: Request, field: str, default: int, low: int, high: int) -> int:
    raw = query_value(request, field)
    if raw is None:
        return default
    if not _UINT.fullmatch(raw) or not low <= int(raw) <= high:
        raise invalid(field, f"must be an integer from {low} to {high}")
    return int(raw)


def query_status(request: Request) -> str:
    raw = query_value(request, "status")
    if raw is None:
        return "all"
    if raw != "all" and raw not in STATUSES:
        raise invalid("status", "must be one of active, revoked, expired, all")
    return raw
