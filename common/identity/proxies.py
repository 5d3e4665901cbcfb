"""Forwarded headers are believed only from the proxies configured by address.

``X-Forwarded-For``, ``X-Forwarded-Proto``, ``X-Forwarded-Host`` (and their
relatives) say where a request came from and how; anyone can write them. A
process takes them only when its direct peer is one of ``TRUSTED_PROXIES``
(addresses or networks, e.g. ``10.0.0.0/8``) — never because the peer is on
loopback. Every service trusts the gateway this way (in development
``127.0.0.1``/``::1``, where the gateway runs; in production the addresses given);
the gateway trusts the load balancer in front of it (``GATEWAY_TRUSTED_PROXIES``).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

#: WSGI keys of the headers only a trusted proxy may set.
FORWARDED_META_KEYS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_PATH",
    "HTTP_X_REAL_IP",
)


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in configured if entry.strip())


def is_trusted(address: str) -> bool:
    """Whether ``address`` (a peer's IP) is one of the configured proxies."""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote: str, forwarded_for: str = "") -> str:
    """The client's address: the peer, or, behind trusted proxies, the last address they did not add."""
    if not is_trusted(remote):
        return remote
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for address in reversed(chain):
        if not is_trusted(address):
            return address
    return chain[0] if chain else remote


def request_client_ip(request) -> str:
    """The client's address of a Django request (``AXES_CLIENT_IP_CALLABLE``)."""
    return client_address(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""))


def untrusted_removed(meta) -> None:
    """Drop the forwarded headers from a WSGI environ unless its peer is a trusted proxy."""
    if is_trusted(meta.get("REMOTE_ADDR", "")):
        return
    for key in FORWARDED_META_KEYS:
        meta.pop(key, None)


class TrustedProxyMiddleware:
    """First middleware of every service: forwarded headers only from ``TRUSTED_PROXIES``.

    Must come before ``SecurityMiddleware`` (which reads ``X-Forwarded-Proto`` through
    ``SECURE_PROXY_SSL_HEADER``) and anything building absolute URLs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        untrusted_removed(request.META)
        return self.get_response(request)
