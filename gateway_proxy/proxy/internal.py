"""Paths of a service that only its own network may reach: the gateway never forwards them.

``/metrics`` of every service is scraped by Prometheus on the service's own address;
through the public gateway it is refused (404), whatever route would map a public path
onto it (``/metrics``, ``/shop/metrics`` under a prefix-stripping route, a trailing slash).
"""

from gateway_proxy.proxy.errors import EdgeError

INTERNAL_PATHS = frozenset({"/metrics"})


def refuse_internal(route, targets, path: str) -> None:
    """Raises a 404 ``EdgeError`` when ``path`` would reach an internal path of any of ``targets``."""
    for target in targets:
        if target is None:
            continue
        upstream = route.upstream_path(target, path).rstrip("/") or "/"
        if upstream in INTERNAL_PATHS:
            raise EdgeError(404, "no_route", f"No service answers {path}.")
