"""Access tokens as signed JWTs (RS256 with the OIDC key), as Keycloak issues them.

The gateway then verifies API calls locally against the JWKS instead of calling
the provider for every request. The token is also stored by django-oauth-toolkit
as usual, so introspection, revocation and userinfo keep working.
"""

import time
import uuid
from functools import lru_cache

import jwt
from jwcrypto import jwk
from oauth2_provider.settings import oauth2_settings

from monolith.identity.roles import user_roles


@lru_cache(maxsize=4)
def _kid(pem: str) -> str:
    return jwk.JWK.from_pem(pem.encode()).thumbprint()


def signed_access_token(request, refresh_token: bool = False) -> str:
    pem = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    now = int(time.time())
    expires_in = getattr(request, "expires_in", None) or oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS
    client_id = request.client_id or getattr(request.client, "client_id", "")
    claims = {
        "iss": oauth2_settings.oidc_issuer(request),
        "aud": client_id,
        "azp": client_id,
        "client_id": client_id,
        "iat": now,
        "exp": now + int(expires_in),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(request.scopes or []),
    }
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "pk", None) is not None:
        claims.update(
            sub=str(user.pk),
            polycode_uid=str(user.pk),
            preferred_username=user.get_username(),
            email=user.email,
            roles=user_roles(user),
        )
    else:
        claims["sub"] = client_id
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": _kid(pem)})
