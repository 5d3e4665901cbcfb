"""OpenAPI descriptions of the identity authentication classes (drf-spectacular)."""

from drf_spectacular.authentication import BasicScheme, SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class GatewayAssertionScheme(OpenApiAuthenticationExtension):
    target_class = "common.identity.authentication.GatewayAssertionAuthentication"
    name = "gatewayAssertion"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-PolyCode-Identity",
            "description": "Signed, short-lived identity assertion set by the gateway or a calling service.",
        }


class SessionUnlessGatewayRequiredScheme(SessionScheme):
    target_class = "common.identity.authentication.SessionUnlessGatewayRequired"


class BasicUnlessGatewayRequiredScheme(BasicScheme):
    target_class = "common.identity.authentication.BasicUnlessGatewayRequired"
