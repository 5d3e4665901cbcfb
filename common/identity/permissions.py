"""DRF permissions of services that own no accounts (the runner)."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from common.identity.assertion import Identity
from common.identity.middleware import is_exempt


class IsAssertedCaller(BasePermission):
    """Where assertions are required: a user asserted by the gateway or by a trusted
    service, or a trusted service calling on its own behalf.

    An anonymous visitor of the gateway is refused (401). Where assertions are not
    required (local development, tests) anyone may call, as before the gateway;
    ``GATEWAY_ASSERTION_EXEMPT_PATHS`` (health checks) are open everywhere.
    """

    def has_permission(self, request, view) -> bool:
        if not getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False) or is_exempt(request.path_info):
            return True
        identity = getattr(request._request, "gateway_identity", None)
        return isinstance(identity, Identity) and (not identity.anonymous or bool(identity.caller))


#: The service that runs the strangler's control (``manage.py strangle``, the migration dashboard).
CONTROL_PLANE = "gateway"


def is_control_plane(request) -> bool:
    """Whether the gateway itself calls, on its own behalf (its service assertion, no user)."""
    identity = getattr(getattr(request, "_request", request), "gateway_identity", None)
    return isinstance(identity, Identity) and identity.caller == CONTROL_PLANE and identity.anonymous


class IsControlPlane(BasePermission):
    """Only the gateway calling on its own behalf: the strangler's data steps (no user, no staff)."""

    def has_permission(self, request, view) -> bool:
        return is_control_plane(request)
