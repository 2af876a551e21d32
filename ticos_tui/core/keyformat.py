"""The contract's credential formats: API keys (`tk_…` with a CRC32 checksum) and session tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_PREFIX = "tk_"
TOKEN_PREFIX = "tst_"  # noqa: S105 - a prefix, not a secret
RANDOM_LEN = 32
CHECKSUM_LEN = 6
KEY_LEN = len(KEY_PREFIX) + RANDOM_LEN + CHECKSUM_LEN  # 41
TOKEN_LEN = len(TOKEN_PREFIX) + 43

# A key anywhere in text: not glued to other word characters on either side.
KEY_PATTERN = re.compile(rb"(?<![A-Za-z0-9_])tk_[0-9A-Za-z]{38}(?![A-Za-z0-9_])")
_KEY_SHAPE = re.compile(r"tk_[0-9A-Za-z]{38}")
_TOKEN_SHAPE = re.compile(r"tst_[A-Za-z0-9_-]{43}")
# A key or session token, or a long piece of one, anywhere in free text (a server's detail,
# an exception's message): looser than the shapes above, so a truncated secret is caught too.
_SECRET_IN_TEXT = re.compile(r"tk_[0-9A-Za-z]{20,}|tst_[A-Za-z0-9_-]{20,}")


def base62(number: int, width: int) -> str:
    """`number` in base62, most significant digit first, left-padded with `0` to `width`."""
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(random_part: str) -> str:
    """The six-character base62 CRC32 of the random part of a key."""
    return base62(zlib.crc32(random_part.encode("ascii")), CHECKSUM_LEN)


def generate_key() -> str:
    """A new API key: prefix, 32 random base62 chars from `secrets`, checksum."""
    random_part = "".join(secrets.choice(BASE62) for _ in range(RANDOM_LEN))
    return KEY_PREFIX + random_part + checksum(random_part)


def generate_token() -> str:
    """A new session token: `tst_` + 43 url-safe chars (32 random bytes)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_well_formed_key(value: str) -> bool:
    """True when `value` has the key's shape and a valid checksum (no database needed)."""
    if len(value) != KEY_LEN or not _KEY_SHAPE.fullmatch(value):
        return False
    random_part = value[3 : 3 + RANDOM_LEN]
    return checksum(random_part) == value[3 + RANDOM_LEN :]


def is_well_formed_token(value: str) -> bool:
    return len(value) == TOKEN_LEN and bool(_TOKEN_SHAPE.fullmatch(value))


def redact(text: str) -> str:
    """`text` with every key or session token (or long piece of one) replaced by `[secret]`."""
    return _SECRET_IN_TEXT.sub("[secret]", text)


def snippet(key: str) -> str:
    """The displayable part of a key: prefix, first 4 random chars, `…`, last 4 chars."""
    return f"{key[:7]}…{key[-4:]}"


def secret_hash(secret: str) -> str:
    """SHA-256 hex of a key or token: the only form the service stores."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
