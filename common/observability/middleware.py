"""Binds the user id of each request to its log lines (the identity middleware binds the request id)."""

from common.observability import logs


class LogContextMiddleware:
    """After authentication: every log line of the request names its user (``-`` for nobody).

    The user is the one the gateway asserted (``request.gateway_identity``), else the
    one Django authenticated (session, basic authentication in development).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        logs.clear()
        logs.bind_user(user_id_of(request))
        try:
            return self.get_response(request)
        finally:
            logs.clear()


def user_id_of(request) -> str:
    identity = getattr(request, "gateway_identity", None)
    if identity is not None and identity.user_id:
        return identity.user_id
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return ""
