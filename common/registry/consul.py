"""Consul registry: healthy instances from the health API, cached for a few seconds.

Only instances whose every check passes are returned
(``/v1/health/service/<name>?passing``). If Consul cannot be reached, the last
answer is served for up to ``stale_seconds`` so a Consul blip does not take
the platform down.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

import consul
import requests
from django.conf import settings

from common.registry.base import Instance, NoInstance, Registry, UnknownService

logger = logging.getLogger(__name__)


class ConsulRegistry(Registry):
    def __init__(
        self,
        client: consul.Consul,
        *,
        cache_seconds: float = 5.0,
        stale_seconds: float = 60.0,
        scheme_meta_key: str = "scheme",
    ):
        super().__init__()
        self.client = client
        self.cache_seconds = cache_seconds
        self.stale_seconds = stale_seconds
        self.scheme_meta_key = scheme_meta_key
        self._cache: dict[str, tuple[float, list[Instance]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls):
        return cls(
            client_from_settings(),
            cache_seconds=getattr(settings, "CONSUL_CACHE_SECONDS", 5.0),
            stale_seconds=getattr(settings, "CONSUL_STALE_SECONDS", 60.0),
        )

    def instances(self, service: str) -> list[Instance]:
        now = time.monotonic()
        cached = self._cache.get(service)
        if cached and now - cached[0] < self.cache_seconds:
            return cached[1]
        try:
            found = self._fetch(service)
        except (consul.ConsulException, requests.RequestException) as exc:
            if cached and now - cached[0] < self.stale_seconds:
                logger.warning("consul unreachable, serving %s from cache: %s", service, exc)
                return cached[1]
            raise NoInstance(service, f"Service registry unreachable: {exc}") from exc
        with self._lock:
            self._cache[service] = (now, found)
        return found

    def _fetch(self, service: str) -> list[Instance]:
        _, entries = self.client.health.service(service, passing=True)
        if not entries:
            _, known = self.client.catalog.service(service)
            if not known:
                raise UnknownService(service)
            return []
        found = []
        for entry in entries:
            svc, node = entry["Service"], entry["Node"]
            address = svc.get("Address") or node.get("Address")
            scheme = (svc.get("Meta") or {}).get(self.scheme_meta_key, "http")
            host = f"[{address}]" if ":" in address else address
            found.append(Instance(service, f"{scheme}://{host}:{svc['Port']}"))
        found.sort(key=lambda i: i.url)
        return found


def make_client(address: str, *, token: str | None = None, timeout: float = 2.0) -> consul.Consul:
    """A Consul client for ``address`` (``http://127.0.0.1:8500``) with a short timeout."""
    parts = urlsplit(address if "//" in address else f"//{address}")
    client = consul.Consul(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 8500,
        scheme=parts.scheme or "http",
        token=token or None,
    )
    client.http.connections_timeout = timeout
    return client


def client_from_settings() -> consul.Consul:
    return make_client(
        getattr(settings, "CONSUL_HTTP_ADDR", "http://127.0.0.1:8500"),
        token=getattr(settings, "CONSUL_HTTP_TOKEN", ""),
        timeout=getattr(settings, "CONSUL_TIMEOUT", 2.0),
    )
