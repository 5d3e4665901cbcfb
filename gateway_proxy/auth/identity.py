"""Who is calling, as the edge establishes it: a bearer token or a browser session.

- ``Authorization: Bearer <JWT>``: a JWT access token of the issuer, verified
  against its JWKS. Verified tokens are remembered until they expire (bounded
  LRU), so a client reusing its token costs a dictionary lookup; whether the
  provider still vouches for it (not revoked) is asked every few seconds
  (``revocation``).
- the gateway's session cookie, set by the OIDC login (``/oidc/authenticate/``),
  while the provider still vouches for the login's tokens (``revocation``).
- neither: an anonymous visitor.
"""

import threading
import time
from collections import OrderedDict

import jwt
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.module_loading import import_string

from common.identity.assertion import Identity
from gateway_proxy.auth import revocation
from gateway_proxy.auth.provider import ProviderError, get_provider
from gateway_proxy.proxy.errors import EdgeError

SESSION_KEY = "edge_identity"
TOKEN_CACHE_SIZE = 10_000


def identity_claims(claims: dict) -> dict:
    """The part of OIDC claims the gateway forwards (user id, username, email, roles)."""
    roles = claims.get("roles")
    if not isinstance(roles, list):
        roles = (claims.get("realm_access") or {}).get("roles") or []
    return {
        "user_id": str(claims.get("polycode_uid") or claims["sub"]),
        "username": str(claims.get("preferred_username") or claims.get("username") or claims["sub"]),
        "email": str(claims.get("email") or ""),
        "roles": sorted({str(r) for r in roles}),
    }


class TokenCache:
    def __init__(self, size: int = TOKEN_CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> dict | None:
        item = self._items.get(token)
        if item is None:
            return None
        if item[0] <= time.time():
            self._items.pop(token, None)
            return None
        return item[1]

    def put(self, token: str, exp: float, value: dict) -> None:
        with self._lock:
            self._items[token] = (exp, value)
            if len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


token_cache = TokenCache()


def bearer_identity(token: str) -> dict:
    value = token_cache.get(token) or _verified(token)
    if not revocation.token_active(token):
        raise EdgeError(
            401,
            "invalid_token",
            "The bearer token was revoked.",
            headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')],
        )
    return value


def _verified(token: str) -> dict:
    try:
        claims = get_provider().verify(token, audiences=settings.OIDC_ACCEPTED_AUDIENCES)
    except (jwt.PyJWTError, ProviderError, ValueError) as exc:
        raise EdgeError(
            401,
            "invalid_token",
            f"The bearer token is not valid: {exc}",
            headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')],
        ) from exc
    value = identity_claims(claims)
    token_cache.put(token, float(claims["exp"]), value)
    return value


_session_store = None


def session_identity(session_key: str) -> dict | None:
    global _session_store
    if _session_store is None:
        _session_store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    try:
        store = _session_store(session_key=session_key)
        found = store.get(SESSION_KEY)
        if found and not revocation.session_current(session_key, store):
            store.delete(session_key)  # revoked or deactivated: the session ends here
            return None
        return found
    except DatabaseError:
        connection.close()
        return None


def cookie_value(cookie_header: str, name: str) -> str | None:
    if name not in cookie_header:
        return None
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def authenticate(environ) -> tuple[dict | None, str]:
    """(identity claims or ``None``, how: ``bearer``/``session``/``anonymous``)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if authorization[:7].lower() == "bearer ":
        return bearer_identity(authorization[7:].strip()), "bearer"
    session_key = cookie_value(environ.get("HTTP_COOKIE", ""), settings.SESSION_COOKIE_NAME)
    if session_key:
        found = session_identity(session_key)
        if found:
            return found, "session"
    return None, "anonymous"


def to_identity(claims: dict | None, request_id: str) -> Identity:
    if not claims:
        return Identity(request_id=request_id)
    return Identity(
        user_id=claims["user_id"],
        username=claims["username"],
        email=claims["email"],
        roles=tuple(claims["roles"]),
        request_id=request_id,
    )
