"""Company API keys: `blk_<prefix>_<secret>`, stored as HMAC-SHA256(pepper, key) only.

The prefix (8 hex characters) is not secret; it finds the row and names the key in the admin
command. The secret is 32 random bytes. Without the server-side pepper a leaked table of hashes
cannot even be used to check guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_SCHEME = "blk"
PREFIX_BYTES = 4
SECRET_BYTES = 32


@dataclass(frozen=True)
class IssuedKey:
    """A key as shown once to the admin, and what is stored of it."""

    key: str
    prefix: str
    key_hash: str


def hash_key(key: str, pepper: str) -> str:
    return hmac.new(pepper.encode("utf-8"), key.encode("utf-8"), hashlib.sha256).hexdigest()


def issue_key(pepper: str) -> IssuedKey:
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return IssuedKey(key=key, prefix=prefix, key_hash=hash_key(key, pepper))


def key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    return prefix


def key_matches(key: str, stored_hash: str, pepper: str) -> bool:
    return hmac.compare_digest(hash_key(key, pepper), stored_hash)
