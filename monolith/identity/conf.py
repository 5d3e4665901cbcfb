"""Settings of the monolith's legacy identity provider (django-oauth-toolkit, OIDC).

The RSA signing key comes from ``OIDC_RSA_PRIVATE_KEY`` (PEM); in development a
key is generated once into ``var/oidc-rsa.pem``. Tokens are signed RS256 and
published at ``/o/.well-known/jwks.json``; access tokens are JWTs too, so the
gateway verifies them locally like Keycloak's.
"""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common.identity.keys import create_once
from common.settings.base import GATEWAY_ASSERTION_EXEMPT_PATHS as _EXEMPT
from common.settings.base import VAR_DIR, env

DEV_KEY_FILE = "oidc-rsa.pem"


def dev_rsa_key(var_dir: Path) -> str:
    """The development signing key of this machine, created on first use."""

    def make_pem() -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    return create_once(Path(var_dir) / DEV_KEY_FILE, make_pem)


def with_dev_signing_key(provider: dict) -> dict:
    """``provider`` with the development key when no key is configured (local and test only)."""
    if provider["OIDC_RSA_PRIVATE_KEY"]:
        return provider
    return {**provider, "OIDC_RSA_PRIVATE_KEY": dev_rsa_key(VAR_DIR)}


# Empty here: production requires the variable, local and test settings add the dev key,
# so no process generates an RSA key it will not use.
OIDC_RSA_PRIVATE_KEY = env.str("OIDC_RSA_PRIVATE_KEY", default="", multiline=True)

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "OIDC_ISS_ENDPOINT": env.str("OIDC_ISS_ENDPOINT", default=""),
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OIDC_ACCESS_TOKEN_SECONDS", default=900),
    "ACCESS_TOKEN_GENERATOR": "monolith.identity.tokens.signed_access_token",
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "OAUTH2_VALIDATOR_CLASS": "monolith.identity.validators.PolyCodeOAuth2Validator",
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your username and roles",
        "email": "Your email address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Logging out at the gateway ends the provider's session too, without a second
    # question, when the ID token it sends as hint belongs to the signed-in user.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, S256 PKCE only,
    # tokens never in query strings, a replayed refresh token revokes its family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # The authorization response names its issuer (RFC 9207), so a client talking to
    # several issuers cannot be tricked into sending a code to the wrong one.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}

# The provider's own endpoints are reached directly (they authenticate), not
# through the gateway's assertion.
GATEWAY_ASSERTION_EXEMPT_PATHS = [*_EXEMPT, "/o/"]

# The monolith owns accounts: an asserted user is its own account of that username.
IDENTITY_USER_RESOLVER = "common.identity.users.local_user"
IDENTITY_PAGE_USER_RESOLVER = IDENTITY_USER_RESOLVER
