"""Credentials are never accepted in a URL (RFC 6750 §5.3, RFC 9700 §4.3.2).

A token in a query string ends up in access logs, browser history and
``Referer`` headers. Every service (through ``GatewayAssertionMiddleware``) and the
gateway refuse such a request outright, whatever endpoint it is for, rather than
relying on each endpoint to ignore the parameter.
"""

from urllib.parse import parse_qsl

from django.http import JsonResponse

#: Query parameters that carry a credential.
CREDENTIAL_PARAMETERS = frozenset({"access_token", "id_token", "refresh_token"})
CODE = "token_in_query"
DETAIL = "Credentials are not accepted in the URL: send the token in the Authorization header."


def has_token(query_string: str) -> bool:
    """Whether the query string names a credential parameter."""
    if not query_string or "token" not in query_string:
        return False
    return any(name in CREDENTIAL_PARAMETERS for name, _ in parse_qsl(query_string, keep_blank_values=True))


def refused() -> JsonResponse:
    return JsonResponse({"code": CODE, "detail": DETAIL, "fields": {"access_token": [DETAIL]}}, status=400)
