"""Identity assertions for calls from one service to another.

A service calling another (the monolith calling the runner) says who it is and on
whose behalf it calls the way the gateway does: a single-use, short-lived
Ed25519-signed JWT in ``X-PolyCode-Identity``, signed with the calling service's
own key (``SERVICE_ASSERTION_PRIVATE_KEY``), with ``iss``
``polycode-service:<caller>``, ``azp`` the caller, ``aud`` the callee and ``sub``
the user. The callee accepts it only when the caller is one of its
``SERVICE_ASSERTION_CALLERS`` and the signature verifies with that caller's key::

    response = session.post(url, json=body, headers=service_headers(audience="runner"))

Build the headers once per attempt: each assertion is accepted once.
"""

from dataclasses import replace

from django.conf import settings

from common.identity import request_ids
from common.identity.assertion import DEFAULT_TTL_SECONDS, HEADER, Identity, issue
from common.identity.middleware import current_request
from common.identity.users import resolve_roles


def acting_identity(user=None) -> Identity:
    """The identity a call made now acts for.

    ``user`` when given (a user object; an anonymous one stands for nobody);
    otherwise the user of the request being handled (the one its authentication
    established); outside a request, nobody: the service acts on its own. When
    the gateway asserted that same user, its assertion's identity is forwarded
    unchanged; otherwise the identity is built from the account.
    """
    request = current_request.get()
    request_id = request_ids.current.get() or request_ids.from_header(None)
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return Identity(request_id=request_id)
    username = user.get_username()
    asserted = getattr(request, "gateway_identity", None)
    if isinstance(asserted, Identity) and not asserted.anonymous and asserted.username == username:
        return replace(asserted, request_id=request_id, caller="")
    return Identity(
        user_id=str(user.pk),
        username=username,
        email=getattr(user, "email", "") or "",
        roles=resolve_roles(user),
        request_id=request_id,
    )


def service_assertion(*, audience: str, user=None) -> str:
    """This service's assertion, for the service named ``audience``, of ``acting_identity(user)``."""
    return _issue(audience=audience, identity=acting_identity(user))


def service_headers(*, audience: str, user=None) -> dict[str, str]:
    """Headers of one call to the service named ``audience``: the assertion and the request id."""
    identity = acting_identity(user)
    return {
        HEADER: _issue(audience=audience, identity=identity),
        request_ids.HEADER: identity.request_id,
    }


def _issue(*, audience: str, identity: Identity) -> str:
    ttl = getattr(settings, "SERVICE_ASSERTION_TTL", DEFAULT_TTL_SECONDS)
    return issue(identity, audience=audience, ttl=ttl, caller=settings.SERVICE_NAME)
