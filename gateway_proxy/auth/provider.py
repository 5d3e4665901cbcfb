"""The OIDC issuer as the gateway sees it: discovery document and signing keys.

The issuer is configuration (``OIDC_ISSUER``); every endpoint comes from its
discovery document. Signing keys are fetched from ``jwks_uri``, kept in memory,
and fetched again when a token names an unknown ``kid`` (key rotation), at most
every ``OIDC_JWKS_MIN_REFRESH_SECONDS`` so tokens with made-up kids cannot
make the gateway hammer the issuer.
"""

import json
import logging
import threading
import time

import jwt
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")


class ProviderError(Exception):
    pass


class Provider:
    def __init__(self, issuer: str, *, timeout: float = 5.0, min_refresh: float = 10.0):
        self.issuer = issuer.rstrip("/")
        self.timeout = timeout
        self.min_refresh = min_refresh
        self._metadata: dict | None = None
        self._metadata_at = 0.0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_at = float("-inf")
        self._lock = threading.Lock()
        self.session = requests.Session()

    def metadata(self) -> dict:
        if self._metadata is not None and time.monotonic() - self._metadata_at < 3600:
            return self._metadata
        with self._lock:
            if self._metadata is not None and time.monotonic() - self._metadata_at < 3600:
                return self._metadata
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                response = self.session.get(url, timeout=self.timeout)
                response.raise_for_status()
                metadata = response.json()
            except (requests.RequestException, ValueError) as exc:
                if self._metadata is not None:
                    return self._metadata
                raise ProviderError(f"OIDC discovery failed at {url}: {exc}") from exc
            if metadata.get("issuer", "").rstrip("/") != self.issuer:
                raise ProviderError(f"discovery at {url} names issuer {metadata.get('issuer')!r}")
            self._metadata, self._metadata_at = metadata, time.monotonic()
            return metadata

    def endpoint(self, name: str) -> str:
        value = self.metadata().get(name)
        if not value:
            raise ProviderError(f"the issuer publishes no {name}")
        return value

    def key(self, kid: str | None, alg: str) -> jwt.PyJWK:
        key = self._keys.get(kid or "")
        if key is None:
            self._refresh_keys()
            key = self._keys.get(kid or "")
        if key is None and kid is None and len(self._keys) == 1:
            key = next(iter(self._keys.values()))
        if key is None:
            raise jwt.InvalidTokenError("the token is signed with an unknown key")
        return key

    def _refresh_keys(self) -> None:
        with self._lock:
            if time.monotonic() - self._keys_at < self.min_refresh:
                return
            self._keys_at = time.monotonic()
        try:
            response = self.session.get(self.endpoint("jwks_uri"), timeout=self.timeout)
            response.raise_for_status()
            keys = {}
            for data in response.json().get("keys", []):
                if data.get("use", "sig") != "sig":
                    continue
                try:
                    keys[data.get("kid", "")] = jwt.PyJWK(data)
                except jwt.PyJWTError:
                    logger.warning("ignoring an unusable key in the JWKS: %s", json.dumps(data)[:200])
            self._keys = keys
        except (requests.RequestException, ValueError, ProviderError) as exc:
            logger.warning("could not fetch the issuer's JWKS: %s", exc)

    def verify(self, token: str, *, audiences, nonce: str | None = None) -> dict:
        """The claims of a JWT of this issuer for one of ``audiences``; raises ``jwt.InvalidTokenError``."""
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise jwt.InvalidAlgorithmError(f"algorithm {alg!r} is not accepted")
        claims = jwt.decode(
            token,
            self.key(header.get("kid"), alg),
            algorithms=[alg],
            audience=list(audiences),
            issuer=self.issuer,
            leeway=30,
            options={"require": ["exp", "iat", "iss", "sub", "aud"]},
        )
        if nonce is not None and claims.get("nonce") != nonce:
            raise jwt.InvalidTokenError("nonce mismatch")
        return claims


_provider: Provider | None = None
_provider_lock = threading.Lock()


def get_provider() -> Provider:
    global _provider
    if _provider is None or _provider.issuer != settings.OIDC_ISSUER.rstrip("/"):
        with _provider_lock:
            if _provider is None or _provider.issuer != settings.OIDC_ISSUER.rstrip("/"):
                _provider = Provider(
                    settings.OIDC_ISSUER,
                    timeout=settings.OIDC_TIMEOUT,
                    min_refresh=settings.OIDC_JWKS_MIN_REFRESH_SECONDS,
                )
    return _provider


def reset_provider() -> None:
    global _provider
    _provider = None
