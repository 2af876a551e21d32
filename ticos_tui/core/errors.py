"""The client's exception tree: every failure as a message that says what happened and what to do."""

from __future__ import annotations


class TicosError(Exception):
    """Base of every error the client raises; `str(err)` is a one-line message for a person."""

    exit_code = 1


class ConnectionFailed(TicosError):
    """The server could not be reached (refused, DNS, reset before a response)."""


class RequestTimedOut(TicosError):
    """The server did not answer within the client's timeout."""


class ProtocolError(TicosError):
    """The server answered with something that is not the contract's JSON."""


class ApiError(TicosError):
    """The server answered with an error status; `status` and `detail` say which."""

    def __init__(self, message: str, *, status: int, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class BadRequest(ApiError):
    """400 or 413: the request body could not be read or was too large."""


class AuthenticationFailed(ApiError):
    """401: the credential is missing, malformed, unknown, revoked or expired."""


class PermissionDenied(ApiError):
    """403: the credential's scopes do not allow this."""


class NotFound(ApiError):
    """404: no such key on this account."""


class Conflict(ApiError):
    """409: the key's state forbids it (e.g. rolling a revoked, expired or already-rolled key)."""


class ValidationFailed(ApiError):
    """422: the server rejected a field; `detail` names it."""


class RateLimited(ApiError):
    """429: too many failed attempts; `retry_after` says how many seconds to wait."""

    def __init__(self, message: str, *, status: int, detail: str = "", retry_after: int) -> None:
        super().__init__(message, status=status, detail=detail)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; retrying later may help."""


class UsageError(TicosError):
    """The command or its settings cannot work as given (a bad flag, URL or config file); exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration (flags, environment, config.toml, stored login) is unusable."""
