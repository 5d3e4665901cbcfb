"""The gateway as an OIDC relying party (mozilla-django-oidc) for browser sessions.

Endpoints are not configured one by one: they come from the issuer's discovery
document (``OIDC_ISSUER``), looked up when first needed so the gateway starts
even while the issuer is down. The ID token is verified by the gateway's own
verifier (issuer, audience, expiry, nonce, JWKS with key rotation).
"""

from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from gateway_proxy.auth.identity import SESSION_KEY, identity_claims
from gateway_proxy.auth.provider import ProviderError, get_provider
from gateway_proxy.auth.revocation import TOKENS_KEY, session_tokens

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
STAFF_ROLES = {"staff", "admin"}
#: What the ``staff`` role may do in the gateway's admin: operate the route table and read its records.
STAFF_PERMISSIONS = [
    "view_route", "add_route", "change_route",
    "view_routechange", "view_shadowmismatch", "view_trafficminute",
]  # fmt: skip


def oidc_setting(attr, *default):
    if attr in DISCOVERED and not getattr(settings, attr, None):
        return get_provider().endpoint(DISCOVERED[attr])
    return import_from_settings(attr, *default)


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: redirect to the issuer (authorization code + PKCE)."""

    get_settings = staticmethod(oidc_setting)


class AuthenticationCallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: the session acts for the user only once every login check passed.

    The identity and tokens the backend found are written to the session in
    ``login_success`` (after the account was found active); a failed login ends
    whatever session the browser had. An authorization response naming another
    issuer than ours (RFC 9207 ``iss``) is a failed login.
    """

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        issuer = request.GET.get("iss")
        if issuer is not None and issuer.rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            return self.login_failure()
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_KEY] = self.user.edge_claims
        self.request.session[TOKENS_KEY] = self.user.edge_tokens
        return response

    def login_failure(self):
        auth.logout(self.request)
        return super().login_failure()


def _discovered(name):
    return property(lambda self: oidc_setting(name))


class GatewayOIDCBackend(OIDCAuthenticationBackend):
    """Logs a browser in from the issuer's tokens and keeps its identity in the session."""

    OIDC_OP_TOKEN_ENDPOINT = _discovered("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _discovered("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _discovered("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        # Nothing is looked up here: the backend is built for every session
        # request, and the issuer may be unreachable.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc_setting)

    def get_token(self, payload):
        self.token_response = super().get_token(payload)
        return self.token_response

    def verify_token(self, token, **kwargs):
        try:
            return get_provider().verify(
                token, audiences=[settings.OIDC_RP_CLIENT_ID], nonce=kwargs.get("nonce")
            )
        except (jwt.PyJWTError, ProviderError) as exc:
            raise SuspiciousOperation(f"ID token rejected: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        try:
            userinfo = super().get_userinfo(access_token, id_token, payload)
        except Exception:
            userinfo = {}
        if userinfo.get("sub") not in (None, payload["sub"]):
            raise SuspiciousOperation("userinfo describes another subject")
        return {**payload, **userinfo}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username=identity_claims(claims)["username"])

    def create_user(self, claims):
        found = identity_claims(claims)
        user = self.UserModel.objects.create_user(found["username"], email=found["email"])
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """The account's email and flags follow the provider's roles at every login.

        ``admin``: superuser; ``staff``: staff, with the permissions of an operator
        of the route table (``STAFF_PERMISSIONS``); anyone else: neither.
        """
        found = identity_claims(claims)
        roles = set(found["roles"])
        is_staff, is_superuser = bool(STAFF_ROLES & roles), "admin" in roles
        flags = {"email": found["email"], "is_staff": is_staff, "is_superuser": is_superuser}
        if any(getattr(user, name) != value for name, value in flags.items()):
            for name, value in flags.items():
                setattr(user, name, value)
            user.save(update_fields=list(flags))
        operator = Permission.objects.filter(
            content_type__app_label="gateway", codename__in=STAFF_PERMISSIONS
        )
        user.user_permissions.set(operator if is_staff else [])
        # Kept on the user for the callback view, which writes them to the session
        # only if the login succeeds (the account may still be refused).
        user.edge_claims = found
        user.edge_tokens = session_tokens(self.token_response)
        return user


def provider_logout_url(request) -> str:
    """Where logging out sends the browser: the issuer's end-session endpoint (RP-initiated
    logout, with the ID token as hint), so the next "Log in" asks for the password again;
    the gateway's own logout page when the issuer publishes none."""
    after = request.build_absolute_uri("/")
    try:
        endpoint = get_provider().endpoint("end_session_endpoint")
    except ProviderError:
        return settings.LOGOUT_REDIRECT_URL
    query = {"post_logout_redirect_uri": after, "client_id": settings.OIDC_RP_CLIENT_ID}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
