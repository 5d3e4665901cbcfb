"""DRF authentication by the gateway's identity assertion."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, SessionAuthentication

from common.identity.assertion import META_KEY, InvalidAssertion
from common.identity.middleware import is_exempt, verify_request
from common.identity.users import resolve_user


class GatewayAssertionAuthentication(BaseAuthentication):
    """Authenticates the user the gateway asserts; ``request.auth`` is the ``Identity``.

    Listed first in ``DEFAULT_AUTHENTICATION_CLASSES``: when an assertion is
    present it decides alone. Without one (or with an anonymous one) it steps aside (returns ``None``) so
    session and basic authentication keep working where
    ``REQUIRE_GATEWAY_ASSERTION`` is off; the middleware refuses such requests
    where it is on.
    """

    def authenticate(self, request):
        django_request = request._request
        try:
            identity = verify_request(django_request)
            if identity is None:
                if getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False) and not is_exempt(
                    django_request.path_info
                ):
                    raise exceptions.AuthenticationFailed(
                        "This service is only reachable through the gateway.", code="assertion_missing"
                    )
                return None
            if identity.anonymous:
                return None
            return resolve_user(identity), identity
        except InvalidAssertion as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc

    def authenticate_header(self, request):
        # A 401 (not 403) whenever assertions are in play; otherwise keep the
        # 403 that session authentication has always answered.
        if getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False) or META_KEY in request._request.META:
            return 'Assertion realm="polycode"'
        return None


class SessionUnlessGatewayRequired(SessionAuthentication):
    """Django session authentication, off where only the gateway's assertion may authenticate."""

    def authenticate(self, request):
        if getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False):
            return None
        return super().authenticate(request)


class BasicUnlessGatewayRequired(BasicAuthentication):
    """HTTP basic authentication, off where only the gateway's assertion may authenticate."""

    def authenticate(self, request):
        if getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False):
            return None
        return super().authenticate(request)


from common.identity import schema  # noqa: E402, F401 - registers the OpenAPI descriptions
