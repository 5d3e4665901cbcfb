"""A test client that browses a service as the gateway forwards a person to it."""

import uuid

from django.test import Client

from common.identity.assertion import META_KEY, Identity, issue
from common.identity.users import resolve_roles


class GatewayClient(Client):
    """Every request carries a fresh identity assertion (they are single-use), for
    ``user`` or, without one, for an anonymous visitor — as the gateway sends them."""

    def __init__(self, user=None, *, audience: str = "monolith", **defaults):
        super().__init__(**defaults)
        self.user = user
        self.audience = audience

    def identity(self) -> Identity:
        request_id = uuid.uuid4().hex
        if self.user is None:
            return Identity(request_id=request_id)
        return Identity(
            user_id=str(self.user.pk),
            username=self.user.get_username(),
            email=getattr(self.user, "email", ""),
            roles=resolve_roles(self.user),
            request_id=request_id,
        )

    def request(self, **request):
        request[META_KEY] = issue(self.identity(), audience=self.audience)
        return super().request(**request)


def control_plane_meta(*, audience: str) -> dict:
    """Request META of the gateway calling ``audience`` on its own behalf (no user), with its
    development service key: what ``manage.py strangle`` sends (``IsControlPlane``)."""
    from django.conf import settings

    from common.identity import keys

    identity = Identity(request_id=uuid.uuid4().hex)
    gateway_key = keys.dev_private_pem(settings.VAR_DIR, keys.dev_service_key_filename("gateway"))
    return {META_KEY: issue(identity, audience=audience, caller="gateway", private_pem=gateway_key)}
