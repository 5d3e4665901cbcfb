"""Django middleware of every service: verify the gateway's identity assertion.

- An assertion that is present but forged, expired, for another service or
  replayed is always refused with 401 JSON.
- With ``REQUIRE_GATEWAY_ASSERTION`` on (production), a request without one is
  refused too, except on ``GATEWAY_ASSERTION_EXEMPT_PATHS`` (health checks, the
  identity provider's own endpoints).
- Off (local development, tests), a request without one goes on to the other
  authentication classes (session, basic), as before the gateway existed.
- A request with a token in its query string is refused (400) on every path,
  the identity provider's included (``query_tokens``).

The verified identity is ``request.gateway_identity`` (``None`` without an
assertion). For Django's own views (pages, the admin) the asserted user is
``request.user`` too (``users.resolve_page_user``, on first use), so a person
signed in once at the gateway is signed in on every page and a staff member
reaches every service's admin; an anonymous assertion means nobody is signed in,
whatever session cookie a service also set. Exempt paths (the identity
provider's own pages) keep their own sessions. The request id is
``request.request_id`` and is echoed back. While
the request is handled, ``current_request`` holds it, so that a call this service
makes to another one can assert the same user (``common.identity.service``).
"""

import contextvars

from django.apps import apps
from django.conf import settings
from django.http import JsonResponse
from django.utils.functional import SimpleLazyObject

from common.identity import checks, query_tokens, request_ids
from common.identity.assertion import META_KEY, InvalidAssertion, trusted_keys, verify
from common.identity.users import resolve_page_user

UNVERIFIED = object()

current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)


def unauthorized(exc: InvalidAssertion) -> JsonResponse:
    response = JsonResponse({"code": exc.code, "detail": exc.detail}, status=401)
    response["WWW-Authenticate"] = 'Assertion realm="polycode"'
    return response


def verify_request(request):
    """The identity asserted on ``request`` (verified once, then memoised), or ``None``."""
    identity = getattr(request, "gateway_identity", UNVERIFIED)
    if identity is not UNVERIFIED:
        return identity
    token = request.META.get(META_KEY)
    identity = verify(token) if token else None
    request.gateway_identity = identity
    return identity


def is_exempt(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in getattr(settings, "GATEWAY_ASSERTION_EXEMPT_PATHS", ()))


def page_user(identity):
    """``request.user`` for an asserted identity: nobody for an anonymous assertion."""
    from django.contrib.auth.models import AnonymousUser  # only services with accounts call this

    if identity.anonymous:
        return AnonymousUser()
    return SimpleLazyObject(lambda: _page_user(identity))


def _page_user(identity):
    try:
        return resolve_page_user(identity)
    except InvalidAssertion:
        from django.contrib.auth.models import AnonymousUser  # services without accounts never get here

        return AnonymousUser()  # a disabled account: as anonymous for pages (the API answers 401)


class GatewayAssertionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # A key missing outside development, or a replay memory of this process
        # only, stops the service when it starts rather than failing (or letting
        # through) the first request that carries an assertion.
        trusted_keys()
        checks.require_shared_replay_cache()
        self.has_accounts = apps.is_installed("django.contrib.auth")

    def __call__(self, request):
        request_id = request_ids.from_header(request.META.get(request_ids.META_KEY))
        request.request_id = request_id
        token = request_ids.current.set(request_id)
        request_token = current_request.set(request)
        try:
            if query_tokens.has_token(request.META.get("QUERY_STRING", "")):
                return query_tokens.refused()
            try:
                identity = verify_request(request)
            except InvalidAssertion as exc:
                return unauthorized(exc)
            if (
                identity is None
                and getattr(settings, "REQUIRE_GATEWAY_ASSERTION", False)
                and not is_exempt(request.path_info)
            ):
                return unauthorized(
                    InvalidAssertion(
                        "This service is only reachable through the gateway.", code="assertion_missing"
                    )
                )
            if identity is not None and self.has_accounts and not is_exempt(request.path_info):
                request.user = page_user(identity)
            response = self.get_response(request)
            response.setdefault(request_ids.HEADER, request_id)
            return response
        finally:
            current_request.reset(request_token)
            request_ids.current.reset(token)
