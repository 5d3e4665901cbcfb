"""Secret tokens sent by email: random, shown once, stored as a hash.

Tokens carry 256 bits of randomness, so a plain SHA-256 (no salt, no slow
hash) is enough to make a copy of the database useless for answering them,
and lets the token be found by an indexed lookup.
"""

import hashlib
import secrets

#: Longest string accepted where a token is expected (tokens are 43 characters).
TOKEN_MAX_LENGTH = 128


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token and its hash: send the first, store the second."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def site_url(path: str) -> str:
    """Absolute link to ``path`` on the public site (``settings.SITE_URL``)."""
    from django.conf import settings

    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"
