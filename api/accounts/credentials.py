"""Passwords, random tokens and CSRF tokens, and how each is stored or checked.

- Passwords: argon2id, by default with RFC 9106's second recommended setting (64 MiB, 3 passes;
  settings `password_hash_*`, production refuses less than OWASP's minimum). When an email is
  unknown or has no password, a dummy hash is checked instead, so both cost the same time.
- Session ids and link tokens: 32 random bytes (URL-safe text), stored as SHA-256. With 256 bits of
  randomness no pepper or slow hash is needed: nobody can guess a token to match a hash.
- CSRF tokens: HMAC-SHA256 under the account secret over a cookie the browser holds (the session
  token when signed in, else the pre-session form cookie). A page from another site can neither
  read the cookie nor compute the token, and no token has to be stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api.core.config import Settings

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything else cannot be one of ours.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
PASSWORD_MIN_LENGTH = 12
# Hashing is deliberately slow; a bound keeps one request from being very slow.
PASSWORD_MAX_LENGTH = 1024
EMAIL_MAX_LENGTH = 254
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


@lru_cache(maxsize=4)
def password_hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hasher_for(settings: Settings) -> PasswordHasher:
    return password_hasher(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def verify_password(hasher: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, a dummy is checked so the time is the same."""
    try:
        return hasher.verify(stored_hash or _dummy_hash(hasher), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hasher: PasswordHasher, stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_token(value: str) -> bool:
    return bool(TOKEN_RE.match(value))


def csrf_token(secret: str, binding: str) -> str:
    """The CSRF token for a form shown to the browser that holds the cookie `binding`."""
    return hmac.new(secret.encode("utf-8"), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, binding: str, given: str) -> bool:
    if not binding or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, binding).encode("ascii"), given.encode("utf-8"))


def normalize_email(email: str) -> str:
    """The form an address is stored and looked up in: trimmed and lower-case."""
    return email.strip().lower()


def is_email(email: str) -> bool:
    return len(email) <= EMAIL_MAX_LENGTH and bool(EMAIL_RE.match(email))
