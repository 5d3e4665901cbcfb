"""Issue and verify the identity assertion the gateway forwards to upstreams.

The assertion is a compact JWT signed with the gateway's Ed25519 key (EdDSA):

- ``iss`` ``polycode-gateway``; ``aud`` the name of the one upstream service it is
  for; ``iat``/``exp`` at most ``MAX_TTL_SECONDS`` apart; ``jti`` unique;
- ``sub`` the PolyCode user id (empty for an anonymous visitor), ``preferred_username``,
  ``email``, ``roles``; ``request_id`` the ``X-Request-ID`` of the call.

A service accepts it only once (the ``jti`` is remembered until it expires), only
for its own audience, and only if it verifies against a configured public key.
The gateway issues a new assertion for every upstream attempt, so its own retries
are never replays.
"""

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import jwt
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from common.identity import keys

ISSUER = "polycode-gateway"
ALGORITHM = "EdDSA"
HEADER = "X-PolyCode-Identity"
META_KEY = "HTTP_X_POLYCODE_IDENTITY"
DEFAULT_TTL_SECONDS = 30
MAX_TTL_SECONDS = 60
LEEWAY_SECONDS = 5


class InvalidAssertion(Exception):
    """The request's identity assertion is missing or not acceptable (HTTP 401)."""

    code = "assertion_invalid"

    def __init__(self, detail: str, *, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


@dataclass(frozen=True)
class Identity:
    """Who is calling, as the gateway established it."""

    user_id: str = ""
    username: str = ""
    email: str = ""
    roles: tuple[str, ...] = field(default_factory=tuple)
    request_id: str = ""

    @property
    def anonymous(self) -> bool:
        return not self.user_id

    @property
    def is_staff(self) -> bool:
        return "staff" in self.roles or "admin" in self.roles


ANONYMOUS = Identity()


def _configured(name: str) -> str:
    pem = getattr(settings, name, "")
    if pem:
        return pem
    if not getattr(settings, "GATEWAY_ASSERTION_DEV_KEYS", False):
        raise ImproperlyConfigured(f"{name} must be set (PEM) outside development.")
    return keys.dev_private_pem(settings.VAR_DIR)


def signing_key_pem() -> str:
    return _configured("GATEWAY_ASSERTION_PRIVATE_KEY")


def verification_keys() -> dict:
    return keys.load_public_keys(_configured("GATEWAY_ASSERTION_PUBLIC_KEY"))


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@lru_cache(maxsize=8)
def _signer(private_pem: str):
    """(signing key, encoded JWS header) for a PEM; both computed once."""
    key = keys.load_private_key(private_pem)
    header = {"alg": ALGORITHM, "kid": keys.key_id(key.public_key()), "typ": "JWT"}
    return key, _b64(json.dumps(header, separators=(",", ":")).encode())


def issue(
    identity: Identity,
    *,
    audience: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    private_pem: str | None = None,
    now: float | None = None,
) -> str:
    """A signed assertion of ``identity`` for the service named ``audience``.

    A standard JWS (verifiable by any JWT library); built by hand because the
    gateway signs one per upstream call.
    """
    if not 0 < ttl <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl must be within 1..{MAX_TTL_SECONDS} seconds")
    key, header = _signer(private_pem or signing_key_pem())
    issued = int(now if now is not None else time.time())
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl,
        "jti": uuid.uuid4().hex,
        "sub": identity.user_id,
        "preferred_username": identity.username,
        "email": identity.email,
        "roles": list(identity.roles),
        "request_id": identity.request_id,
    }
    signing_input = header + b"." + _b64(json.dumps(payload, separators=(",", ":")).encode())
    return (signing_input + b"." + _b64(key.sign(signing_input))).decode()


def verify(token: str, *, audience: str | None = None, public_keys: dict | None = None) -> Identity:
    """The identity in ``token`` if it is genuine, current, for ``audience`` and unseen.

    Raises ``InvalidAssertion`` with a code naming the reason otherwise.
    """
    audience = audience or settings.SERVICE_NAME
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidAssertion("Malformed identity assertion.") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidAssertion("Identity assertion has an unexpected algorithm.")
    key = (public_keys if public_keys is not None else verification_keys()).get(header.get("kid"))
    if key is None:
        raise InvalidAssertion("Identity assertion is signed with an unknown key.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "iat", "exp", "jti", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidAssertion("Identity assertion has expired.", code="assertion_expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidAssertion(
            f"Identity assertion is not for {audience}.", code="assertion_wrong_audience"
        ) from exc
    except jwt.PyJWTError as exc:
        raise InvalidAssertion("Identity assertion does not verify.") from exc
    if claims["exp"] - claims["iat"] > MAX_TTL_SECONDS:
        raise InvalidAssertion("Identity assertion lives too long.")
    if claims["iat"] > time.time() + LEEWAY_SECONDS:
        raise InvalidAssertion("Identity assertion is issued in the future.")
    _remember(claims["jti"], claims["exp"])
    roles = claims.get("roles") or []
    return Identity(
        user_id=str(claims.get("sub") or ""),
        username=str(claims.get("preferred_username") or ""),
        email=str(claims.get("email") or ""),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
        request_id=str(claims.get("request_id") or ""),
    )


def _remember(jti: str, exp: int) -> None:
    """Accept each ``jti`` once; the memory lasts as long as the assertion could."""
    cache = caches[getattr(settings, "IDENTITY_REPLAY_CACHE", "default")]
    timeout = max(1, int(exp - time.time()) + LEEWAY_SECONDS + 1)
    if not cache.add(f"identity:jti:{jti}", 1, timeout=timeout):
        raise InvalidAssertion("Identity assertion was already used.", code="assertion_replayed")
