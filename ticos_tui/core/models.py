"""Typed records of the contract's objects (ApiKey, CreatedKey, Account, UsageDay, VerifyResult,
AuditEvent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Final, Literal

STATUSES = ("active", "revoked", "expired")


class _Lifetime(Enum):
    KEEP = "keep"


# A roll's `expires_at` left to the server: the new key gets the old one's lifetime from now.
KEEP_LIFETIME: Final = _Lifetime.KEEP
KeepLifetime = Literal[_Lifetime.KEEP]


def parse_time(value: str | None) -> datetime | None:
    """An RFC 3339 `...Z` time from the contract as an aware UTC datetime."""
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def format_time(value: datetime | None) -> str | None:
    """An aware datetime as the contract's RFC 3339 UTC form with second precision."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    snippet: str
    status: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    replaces: str | None = None  # the key this one was rolled from (v1.2; set by roll only)
    replaced_by: str | None = None  # the key this one was rolled into

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiKey:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            snippet=str(data["snippet"]),
            status=str(data["status"]),
            scopes=tuple(str(s) for s in data.get("scopes") or ()),
            created_at=parse_time(data["created_at"]),  # type: ignore[arg-type]
            last_used_at=parse_time(data.get("last_used_at")),
            expires_at=parse_time(data.get("expires_at")),
            revoked_at=parse_time(data.get("revoked_at")),
            replaces=_optional_id(data.get("replaces")),
            replaced_by=_optional_id(data.get("replaced_by")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "snippet": self.snippet,
            "status": self.status,
            "scopes": list(self.scopes),
            "created_at": format_time(self.created_at),
            "last_used_at": format_time(self.last_used_at),
            "expires_at": format_time(self.expires_at),
            "revoked_at": format_time(self.revoked_at),
            "replaces": self.replaces,
            "replaced_by": self.replaced_by,
        }

    @property
    def full_access(self) -> bool:
        return "*" in self.scopes


def _optional_id(value: Any) -> str | None:
    # A server from before v1.2 sends neither lineage field: no lineage known.
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a key id is not a string")
    return value


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry of the audit log: who did what to which key, from where (contract v1.2)."""

    id: str
    at: datetime
    action: str
    key_id: str | None
    key_name: str | None
    actor_type: str | None  # `session`, `api_key`, or None (nobody signed in)
    actor_id: str | None
    actor_name: str | None
    client: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditEvent:
        actor = data.get("actor")
        if actor is not None and not isinstance(actor, dict):
            raise ValueError("actor is not an object")
        actor = actor or {}
        detail = data.get("detail") or {}
        if not isinstance(detail, dict):
            raise ValueError("detail is not an object")
        text = _optional_text
        return cls(
            id=str(data["id"]),
            at=parse_time(data["at"]),  # type: ignore[arg-type]
            action=str(data["action"]),
            key_id=text(data.get("key_id")),
            key_name=text(data.get("key_name")),
            actor_type=text(actor.get("type")),
            actor_id=text(actor.get("id")),
            actor_name=text(actor.get("name")),
            client=text(data.get("client")),
            detail=detail,
        )

    def to_json(self) -> dict[str, Any]:
        actor = None
        if self.actor_type is not None:
            actor = {"type": self.actor_type, "id": self.actor_id, "name": self.actor_name}
        return {
            "id": self.id,
            "at": format_time(self.at),
            "action": self.action,
            "key_id": self.key_id,
            "key_name": self.key_name,
            "actor": actor,
            "client": self.client,
            "detail": self.detail,
        }


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A key just created or rolled: the only object that ever holds the full secret."""

    api_key: ApiKey
    key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    email: str
    created_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Account:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            email=str(data["email"]),
            created_at=parse_time(data["created_at"]),  # type: ignore[arg-type]
        )

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("_", " ").replace(".", " ").split() if p]
        letters = "".join(p[0] for p in parts[:2]) or "?"
        return letters.upper()


@dataclass(frozen=True, slots=True)
class UsageDay:
    date: date
    requests: int


@dataclass(frozen=True, slots=True)
class VerifyResult:
    valid: bool
    key_id: str | None = None
    account_id: str | None = None
    scopes: tuple[str, ...] = ()
    expires_at: datetime | None = None
    reason: str | None = None
