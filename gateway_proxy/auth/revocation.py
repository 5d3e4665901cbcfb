"""Whether a token, or a browser session, still stands at the identity provider.

A JWT verifies until it expires, whatever happened since. The gateway therefore
asks the issuer's introspection endpoint (RFC 7662, found by discovery; client
credentials of the gateway) at most every ``GATEWAY_TOKEN_RECHECK_SECONDS``
per token, and remembers the answer in the shared cache (Redis in production),
so every gateway process agrees:

- a bearer token the provider calls inactive (revoked, or its account
  deactivated) is refused with 401;
- a browser session keeps the tokens of its login: its access token is
  introspected the same way, renewed with the refresh token when it expired,
  and the session ends (deleted) when the provider no longer vouches for it
  or its gateway account was deactivated.

Deactivating an account therefore ends its gateway sessions and refuses its
tokens within ``GATEWAY_TOKEN_RECHECK_SECONDS`` (30 s by default), on Keycloak as
on the monolith's provider (which calls the tokens of an inactive account inactive
and refuses to refresh them). When the provider cannot be reached, the last
answer stands (the gateway keeps serving); the next check asks again.
"""

import hashlib
import logging
import time

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

from gateway_proxy.auth.provider import ProviderError, get_provider

logger = logging.getLogger(__name__)

TOKENS_KEY = "edge_tokens"
#: A renewed access token is used until this many seconds before it expires.
EXPIRY_MARGIN = 10


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _client_auth() -> tuple[str, str]:
    return settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET


def introspect(token: str) -> bool | None:
    """``True``/``False`` as the provider says; ``None`` when it could not be asked."""
    provider = get_provider()
    try:
        response = provider.session.post(
            provider.endpoint("introspection_endpoint"),
            data={"token": token, "token_type_hint": "access_token"},
            auth=_client_auth(),
            timeout=settings.OIDC_TIMEOUT,
        )
        response.raise_for_status()
        return bool(response.json().get("active"))
    except (requests.RequestException, ValueError, ProviderError) as exc:
        logger.warning("token introspection failed: %s", exc)
        return None


def token_active(token: str) -> bool:
    """Whether the provider still vouches for ``token`` (asked at most every recheck period)."""
    key = f"gw:token-active:{_digest(token)}"
    known = cache.get(key)
    if known is not None:
        return known
    active = introspect(token)
    if active is None:
        active = True  # the provider is unreachable: the verified token stands until the next check
    cache.set(key, active, settings.GATEWAY_TOKEN_RECHECK_SECONDS)
    return active


def refreshed(tokens: dict) -> dict | None:
    """New tokens from the refresh token, or ``None`` when the provider refuses."""
    if not tokens.get("refresh_token"):
        return None
    provider = get_provider()
    try:
        response = provider.session.post(
            provider.endpoint("token_endpoint"),
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=_client_auth(),
            timeout=settings.OIDC_TIMEOUT,
        )
    except (requests.RequestException, ProviderError) as exc:
        logger.warning("refreshing a session's tokens failed: %s", exc)
        return tokens  # unreachable: keep the session, ask again next time
    if response.status_code != 200:
        return None
    return session_tokens(response.json(), previous=tokens)


def session_tokens(token_response: dict, previous: dict | None = None) -> dict:
    """What a session keeps of a token response."""
    return {
        "access_token": token_response["access_token"],
        "refresh_token": token_response.get("refresh_token") or (previous or {}).get("refresh_token", ""),
        "expires_at": time.time() + float(token_response.get("expires_in") or 0),
    }


def _account_active(store) -> bool:
    user_id = store.get("_auth_user_id")
    return bool(user_id) and get_user_model().objects.filter(pk=user_id, is_active=True).exists()


def session_current(session_key: str, store) -> bool:
    """Whether the session ``store`` may still act for its user; renews its tokens when they expired."""
    key = f"gw:session-current:{_digest(session_key)}"
    if cache.get(key):
        return True
    tokens = store.get(TOKENS_KEY)
    if not tokens or not _account_active(store):
        return False
    if tokens["expires_at"] - EXPIRY_MARGIN > time.time():
        current = token_active(tokens["access_token"])
    else:
        renewed = refreshed(tokens)
        current = renewed is not None
        if renewed is not None and renewed is not tokens:
            store[TOKENS_KEY] = renewed
            store.save()
    if current:
        cache.set(key, True, settings.GATEWAY_TOKEN_RECHECK_SECONDS)
    return current
